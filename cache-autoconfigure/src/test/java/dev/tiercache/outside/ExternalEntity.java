package dev.tiercache.outside;

import java.io.Serializable;

/**
 * A serializable class in a package outside the test application's allow-list.
 */
public class ExternalEntity implements Serializable {

	private final long id;

	public ExternalEntity(long id) {
		this.id = id;
	}

	public long id() {
		return this.id;
	}

}
