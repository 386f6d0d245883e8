package dev.tiercache.sample;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

import org.htmlunit.BrowserVersion;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.htmlunit.HtmlUnitDriver;

/**
 * The browser a test drives through Selenium: a headless Chromium where {@code chromium} and
 * {@code chromedriver} are both on the {@code PATH} ({@code .ci/run} installs them), otherwise HtmlUnit, a
 * browser written in Java with a JavaScript engine of its own, so that the test also runs on a machine that
 * has nothing but Java. The system property {@value #PROPERTY} ({@code chromium} or {@code htmlunit}) forces
 * one. Either engine runs the page's scripts; only Chromium draws the page (see {@link #draws()}).
 */
enum BrowserEngine {

	/** Debian's Chromium, headless, through its {@code chromedriver}. */
	CHROMIUM("Chromium", true) {

		@Override
		WebDriver start() throws IOException {
			Path chromium = onPath("chromium").orElseThrow(BrowserEngine::chromiumMissing);
			Path chromedriver = onPath("chromedriver").orElseThrow(BrowserEngine::chromiumMissing);
			ChromeOptions options = new ChromeOptions().setBinary(chromium.toFile())
				.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
						"--disable-background-networking", "--disable-component-update", "--disable-sync",
						"--window-size=1100,900",
						"--user-data-dir=" + Files.createTempDirectory("chromium-profile"));
			ChromeDriverService service = new ChromeDriverService.Builder()
				.usingDriverExecutable(chromedriver.toFile())
				.usingAnyFreePort()
				.build();
			return new ChromeDriver(service, options);
		}

	},

	/** HtmlUnit from Maven Central, with JavaScript enabled, posing as Chrome. */
	HTMLUNIT("HtmlUnit", false) {

		@Override
		WebDriver start() {
			HtmlUnitDriver driver = new HtmlUnitDriver(BrowserVersion.CHROME, true);
			// as in a browser, an error in one of the page's scripts is logged and does not fail navigation
			driver.getWebClient().getOptions().setThrowExceptionOnScriptError(false);
			return driver;
		}

	};

	/** The system property that forces an engine, whatever is installed. */
	static final String PROPERTY = "tiercache.browser";

	private final String displayName;

	private final boolean draws;

	BrowserEngine(String displayName, boolean draws) {
		this.displayName = displayName;
		this.draws = draws;
	}

	/**
	 * The engine named by {@value #PROPERTY}, otherwise Chromium where it and its driver are on the
	 * {@code PATH}, otherwise HtmlUnit.
	 * @throws IllegalStateException if {@value #PROPERTY} names no engine
	 */
	static BrowserEngine choose() {
		String forced = System.getProperty(PROPERTY);
		if (forced != null) {
			return Arrays.stream(values())
				.filter((engine) -> engine.name().equals(forced.trim().toUpperCase(Locale.ROOT)))
				.findFirst()
				.orElseThrow(() -> new IllegalStateException("-D" + PROPERTY + "=" + forced
						+ " names no browser engine: use chromium or htmlunit, or leave it unset"));
		}
		boolean chromium = onPath("chromium").isPresent() && onPath("chromedriver").isPresent();
		return chromium ? CHROMIUM : HTMLUNIT;
	}

	/**
	 * A new browser of this engine; the caller quits it.
	 * @throws IllegalStateException if this is Chromium and it or its driver is not on the {@code PATH}
	 * @throws IOException if Chromium's profile directory cannot be created
	 */
	abstract WebDriver start() throws IOException;

	/**
	 * Whether this engine draws the page: canvas drawing and screenshots work only where it does.
	 */
	boolean draws() {
		return this.draws;
	}

	@Override
	public String toString() {
		return this.displayName;
	}

	private static Optional<Path> onPath(String command) {
		String path = System.getenv("PATH");
		if (path == null) {
			return Optional.empty();
		}
		return Arrays.stream(path.split(File.pathSeparator))
			.filter((directory) -> !directory.isEmpty())
			.map((directory) -> Path.of(directory, command))
			.filter(Files::isExecutable)
			.findFirst();
	}

	private static IllegalStateException chromiumMissing() {
		return new IllegalStateException("-D" + PROPERTY + "=chromium needs chromium and chromedriver on the PATH:"
				+ " apt-get install -y chromium chromium-driver, or leave " + PROPERTY + " unset to use HtmlUnit");
	}

}
