package io.fleetjobs.server.browser;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium for a test class, driven through the dashboard's test hooks (webapp/README.md).
 * Register it as a static {@code @RegisterExtension} field with {@code @Order(1)}: it starts before the class's
 * agent and its {@code @BeforeAll}, so a machine without Chromium skips the class (or fails it in CI) before any
 * agent starts, and it keeps a screenshot, the page source and the console of every failed test.
 */
public final class BrowserSession implements ExecutionCondition, BeforeAllCallback, AfterAllCallback, TestWatcher {
  public static final Dimension DESKTOP = new Dimension(1280, 800);
  public static final Dimension PHONE = new Dimension(390, 844);
  static final Duration PATIENCE = Duration.ofSeconds(20);
  private static final String MISSING_IN_CI = "Chromium and chromedriver are required in CI; .ci/run installs them";
  private static final String MISSING = "no Chromium or no chromedriver (apt-get install chromium chromium-driver, "
    + "or set CHROME_BIN and CHROMEDRIVER)";

  private ChromeDriver driver;
  private WebDriverWait wait;
  private Path profile;
  private String baseUrl;

  /** The system's browser and driver; never one that Selenium Manager would download. */
  record Binaries(Path chrome, Path driver) {
    static Optional<Binaries> find() {
      Optional<Path> chrome = executable("CHROME_BIN", "chromium", "chromium-browser");
      Optional<Path> driver = executable("CHROMEDRIVER", "chromedriver");
      return chrome.isPresent() && driver.isPresent()
        ? Optional.of(new Binaries(chrome.get(), driver.get()))
        : Optional.empty();
    }

    private static Optional<Path> executable(String override, String... names) {
      String set = System.getenv(override);
      if (set != null && !set.isBlank()) {
        return Optional.of(Path.of(set)).filter(Files::isExecutable);
      }
      Stream<Path> candidates = Stream.concat(
        Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)),
        Stream.of("/usr/bin", "/usr/lib/chromium"))
        .filter(dir -> !dir.isBlank())
        .flatMap(dir -> Stream.of(names).map(name -> Path.of(dir, name)));
      return candidates.filter(Files::isExecutable).findFirst();
    }
  }

  /** Skips the class, reported with the reason, on a machine without the browser; never in CI. */
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (Binaries.find().isPresent() || inCi()) {
      return ConditionEvaluationResult.enabled("Chromium and chromedriver found, or required");
    }
    return ConditionEvaluationResult.disabled("Browser tests skipped: " + MISSING);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    Optional<Binaries> binaries = Binaries.find();
    if (binaries.isEmpty()) {
      fail(MISSING_IN_CI + ": " + MISSING);
    }
    String leftovers = "failed-" + context.getRequiredTestClass().getSimpleName() + "-";
    try (Stream<Path> old = Files.list(screenshots())) {
      for (Path file : old.filter(f -> f.getFileName().toString().startsWith(leftovers)).toList()) {
        Files.delete(file);
      }
    }
    profile = Files.createTempDirectory("fleetjobs-chromium-");
    driver = start(binaries.get(), profile);
    wait = waiting(PATIENCE);
    resize(DESKTOP);
  }

  private static boolean inCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  private static ChromeDriver start(Binaries binaries, Path profile) {
    // Belt and braces: with an explicit driver and binary, Selenium Manager is never asked for anything.
    System.setProperty("webdriver.chrome.driver", binaries.driver().toString());
    Logger.getLogger("org.openqa.selenium").setLevel(Level.WARNING);
    ChromeDriverService service = new ChromeDriverService.Builder()
      .usingDriverExecutable(binaries.driver().toFile())
      .usingAnyFreePort()
      .build();
    ChromeOptions options = new ChromeOptions()
      .setBinary(binaries.chrome().toFile())
      .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + profile,
        "--window-size=" + DESKTOP.getWidth() + "," + DESKTOP.getHeight());
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    return new ChromeDriver(service, options);
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (driver != null) {
      driver.quit();
    }
    if (profile != null) {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    if (driver == null) {
      return;
    }
    String name = "failed-" + context.getRequiredTestClass().getSimpleName() + "-"
      + context.getRequiredTestMethod().getName();
    try {
      screenshot(name);
      Files.writeString(screenshots().resolve(name + ".html"), driver.getPageSource(), StandardCharsets.UTF_8);
      Files.writeString(screenshots().resolve(name + ".console.txt"), driver.manage().logs().get(LogType.BROWSER)
        .getAll().stream().map(LogEntry::toString).collect(Collectors.joining("\n")), StandardCharsets.UTF_8);
    } catch (RuntimeException | IOException e) {
      System.err.println("Could not keep the browser's state of " + name + ": " + e);
    }
  }

  /** Every main page, route to data-page, showing this job, execution and target group. */
  static Map<String, String> mainPages(String job, String executionId, String group) {
    Map<String, String> pages = new LinkedHashMap<>();
    pages.put("/", "overview");
    pages.put("/jobs", "jobs");
    pages.put("/jobs/" + job, "job");
    pages.put("/executions", "executions");
    pages.put("/executions/" + executionId, "execution");
    pages.put("/targetGroups", "target-groups");
    pages.put("/targetGroups/" + group, "target-group");
    pages.put("/credentials", "credentials");
    pages.put("/alerts", "alerts");
    pages.put("/settings", "settings");
    return pages;
  }

  /** The agent's root URL, such as http://127.0.0.1:41234. */
  public void baseUrl(String url) {
    this.baseUrl = url;
  }

  public WebDriver driver() {
    return driver;
  }

  /** Opens the login page in a fresh tab state, signs in with the token and waits for the overview. */
  public void signIn(String token) {
    signOutQuietly();
    driver.get("about:blank");
    driver.get(baseUrl + "/#/login");
    awaitPage("login");
    fill("token", token);
    click("Sign in");
    awaitPage("overview");
  }

  /** Forgets the tab's token, so the next page load starts signed out. */
  public void signOutQuietly() {
    if (driver.getCurrentUrl().startsWith(baseUrl)) {
      js("sessionStorage.clear()");
    }
  }

  /** Follows a route inside the app, the way a link does (no reload), and waits for its page. */
  public WebElement go(String route, String page) {
    if (!driver.getCurrentUrl().startsWith(baseUrl)) {
      driver.get(baseUrl + "/#" + route);
    } else if (!("#" + route).equals(js("return location.hash"))) {
      markStale();
      js("location.hash = arguments[0]", route);
    }
    return awaitPage(page);
  }

  /** Waits until main carries the page and is no longer busy, and returns main. */
  public WebElement awaitPage(String page) {
    By ready = By.cssSelector("main#main[data-page='" + page + "']:not([aria-busy='true'])");
    wait.withMessage(() -> "page " + page + " at " + driver.getCurrentUrl() + "; main shows " + js(
        "const m = document.getElementById('main');"
          + "return m ? m.dataset.page + (m.getAttribute('aria-busy') ? ' (busy)' : '') : 'nothing'"))
      .until(d -> {
        List<WebElement> main = d.findElements(ready);
        if (main.isEmpty() || !d.findElements(By.cssSelector("main#main h1[data-test-stale]")).isEmpty()) {
          return null;
        }
        return main.get(0);
      });
    String heading = heading();
    if (heading.equals("Something went wrong") || heading.equals("Page not found")) {
      fail("Page " + page + " at " + driver.getCurrentUrl() + " did not render: " + main().getText());
    }
    return main();
  }

  /** Marks the current heading, so a wait for the next page does not take the one still shown. */
  public void markStale() {
    js("document.querySelectorAll('main#main h1').forEach(h => h.setAttribute('data-test-stale', ''))");
  }

  public WebElement main() {
    return driver.findElement(By.cssSelector("main#main"));
  }

  public String heading() {
    return driver.findElement(By.cssSelector("main#main h1")).getText();
  }

  /** The displayed button whose visible text is exactly {@code text}, once it is enabled. */
  public WebElement button(String text) {
    return await("button " + text, d -> enabledButton(text));
  }

  private WebElement enabledButton(String text) {
    return buttons(text).stream()
      .filter(WebElement::isEnabled)
      .findFirst()
      .orElse(null);
  }

  /** The displayed buttons named {@code text}, now, without waiting. */
  public List<WebElement> buttons(String text) {
    return driver.findElements(By.xpath("//button[normalize-space(.)=" + xpathLiteral(text) + "]")).stream()
      .filter(WebElement::isDisplayed)
      .toList();
  }

  /** Clicks the enabled button named {@code buttonText}, found again if a live refresh replaces it before the click. */
  public void click(String buttonText) {
    clickOnceFound("button " + buttonText, d -> enabledButton(buttonText));
  }

  /** Clicks a button named {@code text} inside {@code scope}, found again if a refresh replaces the button alone. */
  public void click(WebElement scope, String text) {
    clickOnceFound("button " + text + " in " + scope.getTagName(), d -> buttonIn(scope, text));
  }

  /**
   * Clicks a button named {@code text} inside the element {@code scope} finds, both found again if a live refresh
   * replaces them between finding and clicking.
   */
  public void click(By scope, String text) {
    clickOnceFound("button " + text + " in " + scope, d -> buttonIn(d.findElement(scope), text));
  }

  /**
   * Finds, scrolls to and clicks in one wait. A stale element fails the click before it reaches the page, so the
   * wait finds the element again and clicks the one the live page now shows.
   */
  private void clickOnceFound(String what, Function<WebDriver, WebElement> find) {
    await(what, d -> {
      WebElement button = find.apply(d);
      if (button == null) {
        return null;
      }
      scrollTo(button);
      button.click();
      return true;
    });
  }

  private static WebElement buttonIn(WebElement scope, String text) {
    return scope.findElements(By.xpath(".//button[normalize-space(.)=" + xpathLiteral(text) + "]")).stream()
      .filter(WebElement::isDisplayed)
      .filter(WebElement::isEnabled)
      .findFirst()
      .orElse(null);
  }

  /** The displayed form control whose name is the API field {@code name}. */
  public WebElement field(String name) {
    return field(main(), name);
  }

  public WebElement field(WebElement scope, String name) {
    return await("field " + name, d -> scope.findElements(By.cssSelector("[name='" + name + "']")).stream()
      .filter(WebElement::isDisplayed)
      .findFirst()
      .orElse(null));
  }

  /** Types into an input or text area, picks an option of a select, or sets a checkbox ("true"/"false"). */
  public void fill(String name, String value) {
    fill(main(), name, value);
  }

  public void fill(WebElement scope, String name, String value) {
    WebElement field = field(scope, name);
    scrollTo(field);
    switch (field.getTagName().toLowerCase()) {
      case "select" -> selectOption(new Select(field), value);
      case "input" -> {
        String type = Optional.ofNullable(field.getAttribute("type")).orElse("text").toLowerCase();
        if (type.equals("checkbox") || type.equals("radio")) {
          if (field.isSelected() != Boolean.parseBoolean(value)) {
            field.click();
          }
        } else {
          setText(field, value);
        }
      }
      default -> setText(field, value);
    }
  }

  private void setText(WebElement field, String value) {
    field.clear();
    field.sendKeys(value);
  }

  private static void selectOption(Select select, String value) {
    boolean byText = select.getOptions().stream().anyMatch(o -> o.getText().trim().equals(value));
    if (byText) {
      select.selectByVisibleText(value);
    } else {
      select.selectByValue(value);
    }
  }

  /** The API's message shown next to the field, once there is one. */
  public String fieldError(String target) {
    return await("field error of " + target,
      d -> d.findElements(By.cssSelector(".field-error[data-field='" + target + "']")).stream()
        .map(WebElement::getText)
        .map(String::trim)
        .filter(text -> !text.isEmpty())
        .findFirst()
        .orElse(null));
  }

  /** Waits for an element matching the selector and returns it. */
  public WebElement awaitElement(By by) {
    return await(by.toString(), d -> d.findElements(by).stream().findFirst().orElse(null));
  }

  /** The text of the first element matching, read again if a live refresh replaces it between find and read. */
  public String textOf(By by) {
    return await(by.toString(), d -> d.findElements(by).stream().findFirst().map(WebElement::getText).orElse(null));
  }

  public <T> T await(String what, Function<WebDriver, T> condition) {
    return wait.withMessage(() -> "waiting for " + what + " at " + driver.getCurrentUrl())
      .until((ExpectedCondition<T>) condition::apply);
  }

  public <T> T await(String what, Duration patience, Function<WebDriver, T> condition) {
    return waiting(patience)
      .withMessage(() -> "waiting for " + what + " at " + driver.getCurrentUrl())
      .until((ExpectedCondition<T>) condition::apply);
  }

  /** The lifecycle a badge shows, read again if a live refresh replaces the element under us. */
  public String lifecycle(String badgeSelector) {
    return await("badge " + badgeSelector, d -> d.findElement(By.cssSelector(badgeSelector))
      .getAttribute("data-lifecycle"));
  }

  /** A live refresh replaces elements while we read them: a wait reads again rather than failing. */
  private WebDriverWait waiting(Duration patience) {
    WebDriverWait waiting = new WebDriverWait(driver, patience, Duration.ofMillis(50));
    waiting.ignoring(StaleElementReferenceException.class);
    return waiting;
  }

  public Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  public void scrollTo(WebElement element) {
    js("arguments[0].scrollIntoView({block: 'center'})", element);
  }

  /** Makes the viewport (not the window around it) exactly this size. */
  public void resize(Dimension size) {
    driver.manage().window().setSize(size);
    Long innerWidth = (Long) js("return window.innerWidth");
    Long innerHeight = (Long) js("return window.innerHeight");
    if (innerWidth != size.getWidth() || innerHeight != size.getHeight()) {
      driver.manage().window().setSize(new Dimension(2 * size.getWidth() - innerWidth.intValue(),
        2 * size.getHeight() - innerHeight.intValue()));
    }
  }

  /** Saves the viewport as {@code target/screenshots/{name}.png} and returns the file. */
  public Path screenshot(String name) {
    try {
      Path file = screenshots().resolve(name + ".png");
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Path screenshots() throws IOException {
    return Files.createDirectories(Path.of(System.getProperty("basedir", "."), "target", "screenshots"));
  }

  private static String xpathLiteral(String text) {
    if (!text.contains("'")) {
      return "'" + text + "'";
    }
    return "concat('" + text.replace("'", "', \"'\", '") + "')";
  }
}
