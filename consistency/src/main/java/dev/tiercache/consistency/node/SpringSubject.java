package dev.tiercache.consistency.node;

import java.util.List;

import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * Plain Spring caching on {@code RedisCacheManager} under test: the same mix of reads and writes on every
 * key, for the baseline next to Tiercache's figures.
 */
@Component
@Profile("spring")
public class SpringSubject implements Subject {

	private final SpringMethods methods;

	public SpringSubject(SpringMethods methods) {
		this.methods = methods;
	}

	@Override
	public List<Operation> operations(KeyGroup group) {
		return List.of(Operation.read("read-cacheable", 70, this.methods::read),
				Operation.write("write-evict", 25, this.methods::writeAndEvict));
	}

	@Override
	public Operation finalRead(KeyGroup group) {
		return Operation.read("read-cacheable", 1, this.methods::read);
	}

	@Override
	public long pendingWrites() {
		return 0;
	}

	@Override
	public int requeueDeadLetters() {
		return 0;
	}

}
