package dev.tiercache.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.tiercache.testkit.AutoConfigureTestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a real browser, through Selenium: it renders every cache, and after the load button is
 * pressed its hit rates and chart data change and the burst on one cold product reads the database once.
 * The browser is headless Chromium where it and its driver are installed, otherwise HtmlUnit (see
 * {@link BrowserEngine}); the test's display name says which ran. Both run the same script and the same
 * assertions; Chromium also saves a screenshot as {@code target/dashboard.png}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "sample.read-latency=1ms")
@AutoConfigureTestRedis
class DashboardBrowserTest {

	private static final SampleServers servers = new SampleServers();

	@DynamicPropertySource
	static void servers(DynamicPropertyRegistry registry) {
		servers.register(registry);
	}

	@AfterAll
	static void dropSchema() throws Exception {
		servers.dropSchema();
	}

	static List<BrowserEngine> engine() {
		return List.of(BrowserEngine.choose());
	}

	@LocalServerPort
	private int port;

	private WebDriver browser;

	@AfterEach
	void closeBrowser() {
		if (this.browser != null) {
			this.browser.quit();
		}
	}

	/**
	 * The text of an element, read in one script call: the page replaces its table rows every second,
	 * so an element found in one call may be gone by the next.
	 */
	private String text(String css) {
		Object text = ((JavascriptExecutor) this.browser)
			.executeScript("const e = document.querySelector(arguments[0]); return e ? e.textContent : '';", css);
		return String.valueOf(text);
	}

	@SuppressWarnings("unchecked")
	private List<String> cacheNames() {
		return (List<String>) ((JavascriptExecutor) this.browser).executeScript(
				"return [...document.querySelectorAll('#caches tbody td.name')].map((cell) => cell.textContent);");
	}

	private int chartPoints() {
		String points = this.browser.findElement(By.id("chart")).getDomAttribute("data-points");
		return (points != null) ? Integer.parseInt(points) : 0;
	}

	@ParameterizedTest(name = "in {0}")
	@MethodSource("engine")
	void theDashboardShowsEveryCacheAndItsFiguresMoveUnderTheBuiltInLoad(BrowserEngine engine) throws Exception {
		this.browser = engine.start();
		this.browser.get("http://127.0.0.1:" + this.port + "/");
		WebDriverWait wait = new WebDriverWait(this.browser, Duration.ofSeconds(20));
		wait.withMessage(() -> "the page's status line reads: " + text("#status"));
		wait.until((page) -> cacheNames().size() == 3);
		assertThat(cacheNames()).containsExactly("categories", "products", "views");
		assertThat(text("#breaker")).isEqualTo("CLOSED");
		assertThat(text("#status")).as("the status line, whether or not the chart could be drawn").startsWith("updated");
		String hitRateBefore = text("tr[data-cache=products] td.hit-rate");
		int pointsBefore = chartPoints();

		this.browser.findElement(By.id("run-load")).click();
		new WebDriverWait(this.browser, Duration.ofSeconds(60))
			.withMessage(() -> "the load result reads: " + text("#load-result"))
			.until((page) -> "true".equals(page.findElement(By.id("load-result")).getDomAttribute("data-done")));
		assertThat(text("#load-result")).as("50 callers at once on one cold product").contains(": 1 database read");
		wait.until((page) -> !text("tr[data-cache=products] td.hit-rate").equals(hitRateBefore)
				&& chartPoints() >= pointsBefore + 2);
		assertThat(text("tr[data-cache=products] td.hit-rate")).endsWith("%");
		assertThat(Integer.parseInt(text("tr[data-cache=products] td.loads"))).isPositive();

		if (engine.draws()) {
			assertThat(this.browser.findElements(By.cssSelector("#chart canvas"))).as("uPlot's canvas").isNotEmpty();
			Path screenshot = Path.of("target", "dashboard.png");
			Files.createDirectories(screenshot.getParent());
			Files.write(screenshot, ((TakesScreenshot) this.browser).getScreenshotAs(OutputType.BYTES));
			assertThat(Files.size(screenshot)).isPositive();
		}
	}

}
