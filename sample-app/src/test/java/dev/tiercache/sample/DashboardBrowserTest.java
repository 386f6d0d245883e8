package dev.tiercache.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a real headless Chromium, through Selenium: it renders every cache, and after the
 * load button is pressed its hit rates and chart change and the burst on one cold product reads the
 * database once. Saves a screenshot as {@code target/dashboard.png}. Needs Debian's {@code chromium}
 * and {@code chromium-driver}; fails, naming the command that installs them, when they are missing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "sample.read-latency=1ms")
class DashboardBrowserTest {

	private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

	private static final SampleServers servers = new SampleServers();

	@DynamicPropertySource
	static void servers(DynamicPropertyRegistry registry) {
		servers.register(registry);
	}

	@AfterAll
	static void dropSchema() throws Exception {
		servers.dropSchema();
	}

	@LocalServerPort
	private int port;

	private WebDriver browser;

	@BeforeEach
	void openBrowser() throws Exception {
		assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
			.as("the dashboard test needs Chromium and its driver: apt-get install -y chromium chromium-driver")
			.isTrue();
		ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
			.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
					"--disable-background-networking", "--disable-component-update", "--disable-sync",
					"--window-size=1100,900",
					"--user-data-dir=" + Files.createTempDirectory("chromium-profile"));
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.build();
		this.browser = new ChromeDriver(service, options);
	}

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

	@Test
	void theDashboardShowsEveryCacheAndItsFiguresMoveUnderTheBuiltInLoad() throws Exception {
		this.browser.get("http://127.0.0.1:" + this.port + "/");
		WebDriverWait wait = new WebDriverWait(this.browser, Duration.ofSeconds(20));
		wait.until((page) -> cacheNames().size() == 3);
		assertThat(cacheNames()).containsExactly("categories", "products", "views");
		assertThat(text("#breaker")).isEqualTo("CLOSED");
		String hitRateBefore = text("tr[data-cache=products] td.hit-rate");
		int pointsBefore = chartPoints();

		this.browser.findElement(By.id("run-load")).click();
		new WebDriverWait(this.browser, Duration.ofSeconds(60))
			.until((page) -> "true".equals(page.findElement(By.id("load-result")).getDomAttribute("data-done")));
		assertThat(text("#load-result")).as("50 callers at once on one cold product").contains(": 1 database read");
		wait.until((page) -> !text("tr[data-cache=products] td.hit-rate").equals(hitRateBefore)
				&& chartPoints() >= pointsBefore + 2);
		assertThat(text("tr[data-cache=products] td.hit-rate")).endsWith("%");
		assertThat(Integer.parseInt(text("tr[data-cache=products] td.loads"))).isPositive();

		Path screenshot = Path.of("target", "dashboard.png");
		Files.createDirectories(screenshot.getParent());
		Files.write(screenshot, ((TakesScreenshot) this.browser).getScreenshotAs(OutputType.BYTES));
		assertThat(Files.size(screenshot)).isPositive();
	}

}
