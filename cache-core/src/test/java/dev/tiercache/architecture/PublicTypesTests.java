package dev.tiercache.architecture;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The public types of {@code tiercache-core} are the ones planned in {@code public-types.txt}: a type
 * that becomes public (or stops being public) fails this test until the list says so, so the public
 * surface only changes on purpose. Nested types count when they and every type around them are public.
 * What users touch, the exported packages and the resolver for plain {@code @Cacheable}, stays within
 * 31 top-level types (DESIGN.md's "about 30"); every other public type is wiring between Tiercache's own
 * packages.
 */
class PublicTypesTests {

	/** The packages users touch; the others hold wiring, public only to reach across packages. */
	private static final Set<String> EXPORTED = Set.of("dev.tiercache.annotation", "dev.tiercache.codec",
			"dev.tiercache.stats", "dev.tiercache.tier", "dev.tiercache.writebehind");

	private static final String RESOLVER = "dev.tiercache.interceptor.TieredCacheResolver";

	@Test
	void thePublicTypesAreThePlannedOnes() throws IOException {
		Set<String> actual = publicTypes().stream()
			.map(JavaClass::getName)
			.collect(Collectors.toCollection(TreeSet::new));
		Set<String> planned = planned();
		assertThat(actual).as("public types that are not in public-types.txt: make them package-private, move them "
				+ "under dev.tiercache.internal, or add them to the list if they are meant for users")
			.isSubsetOf(planned);
		assertThat(planned).as("types in public-types.txt that are no longer public: take them off the list")
			.isSubsetOf(actual);
	}

	@Test
	void usersTouchAboutThirtyTopLevelTypes() {
		Set<String> touched = publicTypes().stream()
			.filter((type) -> type.getEnclosingClass().isEmpty())
			.filter((type) -> EXPORTED.contains(type.getPackageName()) || type.getName().equals(RESOLVER))
			.map(JavaClass::getName)
			.collect(Collectors.toCollection(TreeSet::new));
		assertThat(touched).as("top-level public types of %s and %s", EXPORTED, RESOLVER).hasSizeLessThanOrEqualTo(31);
	}

	private static List<JavaClass> publicTypes() {
		return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.importPackages("dev.tiercache")
			.stream()
			.filter(PublicTypesTests::isPublicApi)
			.toList();
	}

	private static boolean isPublicApi(JavaClass type) {
		if (type.isAnonymousClass() || type.isLocalClass() || !type.getModifiers().contains(JavaModifier.PUBLIC)
				|| type.getSimpleName().equals("package-info")) {
			return false;
		}
		return type.getEnclosingClass().map(PublicTypesTests::isPublicApi).orElse(true);
	}

	private static Set<String> planned() throws IOException {
		try (InputStream list = PublicTypesTests.class.getResourceAsStream("public-types.txt")) {
			assertThat(list).as("public-types.txt next to this test").isNotNull();
			List<String> lines = Arrays.asList(new String(list.readAllBytes(), StandardCharsets.UTF_8).split("\n"));
			return lines.stream()
				.map(String::strip)
				.filter((line) -> !line.isEmpty() && !line.startsWith("#"))
				.collect(Collectors.toCollection(TreeSet::new));
		}
	}

}
