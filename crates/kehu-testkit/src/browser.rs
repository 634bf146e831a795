//! Real-browser tests: a headless Chromium per test, driven through its own chromedriver.

use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
mod driver;

use driver::{Driver, find_binary, read_log};
use std::path::Path;
use std::time::{Duration, Instant};

/// How long `text`, `fill` and `click` wait for their element to appear.
const ELEMENT_WAIT: Duration = Duration::from_secs(5);
/// How long `click_and_wait_navigation` waits for the new page.
const NAVIGATION_WAIT: Duration = Duration::from_secs(30);
/// Viewport size, fixed so pages lay out and screenshots look the same on every machine.
const WIDTH: u32 = 1280;
const HEIGHT: u32 = 900;

/// A headless Chromium session with its own chromedriver and profile; both go away on drop.
///
/// JavaScript dialogs (`confirm()` and friends) are left open: answer them with
/// `browser.client.accept_alert()` or `dismiss_alert()`.
pub struct Browser {
    /// The WebDriver client, for anything the helpers below do not cover.
    pub client: Client,
    // Field order matters: the driver is killed before the profile directory is deleted.
    driver: Driver,
    _dir: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver on a free loopback port and a headless Chromium session.
    pub async fn start() -> Browser {
        let chromium = find_binary(
            "KEHU_CHROMIUM",
            "/usr/bin/chromium",
            &["chromium", "chromium-browser"],
        );
        let chromedriver = find_binary(
            "KEHU_CHROMEDRIVER",
            "/usr/bin/chromedriver",
            &["chromedriver"],
        );
        let dir = tempfile::Builder::new()
            .prefix("kehu-browser-")
            .tempdir()
            .expect("create browser temp dir");
        let profile = dir.path().join("profile");
        std::fs::create_dir(&profile).expect("create chromium profile dir");
        let log_path = dir.path().join("chromedriver.log");
        let (driver, port) = Driver::spawn(&chromedriver, dir.path(), &log_path).await;

        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            chrome_options(&chromium, &profile),
        );
        caps.insert("pageLoadStrategy".into(), json!("normal"));
        // A confirm() stays open for the test to accept or dismiss through `client`.
        caps.insert("unhandledPromptBehavior".into(), json!("ignore"));
        // Fail fast instead of WebDriver's 300 s default page load timeout.
        caps.insert(
            "timeouts".into(),
            json!({ "script": 30_000, "pageLoad": 30_000, "implicit": 0 }),
        );
        let client = ClientBuilder::rustls()
            .expect("rustls WebDriver client (needs CA certificates: Debian's ca-certificates)")
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "start headless Chromium ({}) through chromedriver: {e}\nchromedriver log:\n{}",
                    chromium.display(),
                    read_log(&log_path)
                )
            });
        fit_viewport(&client).await;
        Browser {
            client,
            driver,
            _dir: dir,
        }
    }

    /// Navigates to `url` and waits for the document to load.
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("navigate to {url}: {e}"));
        self.wait_loaded().await;
    }

    /// Fills the form field named `name` (input/select/textarea by its name attribute) with `value`; for a `<select>`, selects the option with that value.
    ///
    /// Radio buttons: clicks the one with that value. Checkboxes: checked unless `value` is
    /// empty, "false", "off" or "0". Date, time, color, range and hidden inputs get their
    /// value set by script (typing into them depends on the browser's locale), with the
    /// `input` and `change` events a user's edit would fire.
    pub async fn fill(&self, name: &str, value: &str) {
        let css = format!("[name=\"{}\"]", css_string(name));
        let el = self.wait_for(&css).await;
        let tag = el
            .tag_name()
            .await
            .expect("tag name of form field")
            .to_ascii_lowercase();
        let kind = el
            .attr("type")
            .await
            .expect("type of form field")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let what = format!("fill field {name:?} with {value:?}");
        match (tag.as_str(), kind.as_str()) {
            ("select", _) => {
                let option = format!("option[value=\"{}\"]", css_string(value));
                el.find(Locator::Css(&option))
                    .await
                    .unwrap_or_else(|e| panic!("{what}: no such option: {e}"))
                    .click()
                    .await
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
            }
            ("input", "radio") => {
                let radio = format!("{css}[value=\"{}\"]", css_string(value));
                self.click(&radio).await;
            }
            ("input", "checkbox") => {
                let want = !matches!(value, "" | "false" | "off" | "0");
                let checked = el.is_selected().await.expect("checkbox state");
                if checked != want {
                    el.click().await.unwrap_or_else(|e| panic!("{what}: {e}"));
                }
            }
            (
                "input",
                "date" | "time" | "datetime-local" | "month" | "week" | "color" | "range"
                | "hidden",
            ) => {
                let script = "const [el, v] = arguments; el.value = v; \
                    el.dispatchEvent(new Event('input', { bubbles: true })); \
                    el.dispatchEvent(new Event('change', { bubbles: true }));";
                let el_json = serde_json::to_value(&el).expect("element as JSON");
                self.client
                    .execute(script, vec![el_json, json!(value)])
                    .await
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
            }
            _ => {
                el.clear().await.unwrap_or_else(|e| panic!("{what}: {e}"));
                el.send_keys(value)
                    .await
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
            }
        }
    }

    /// Clicks the first element matching a CSS selector, for clicks that stay on the page
    /// (a check box, a radio button, a script's button).
    ///
    /// Waits up to 5 s for the element, and for the page to finish loading afterwards. A
    /// click that navigates may return while the old page is still shown (it is loaded, too):
    /// use [`Browser::click_and_wait_navigation`] for links and submit buttons.
    pub async fn click(&self, css: &str) {
        self.wait_for(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css:?}: {e}"));
        self.wait_loaded().await;
    }

    /// Clicks a link or submit button matching `css` and waits for the page it leads to:
    /// until the document shown before the click is gone and the new one has loaded (up to
    /// 30 s). The URL and content read next are the new page's, even for a form that answers
    /// with the same URL (a form shown again with its errors).
    ///
    /// Marks the current document's `window` before clicking; a new document has no mark.
    pub async fn click_and_wait_navigation(&self, css: &str) {
        let el = self.wait_for(css).await;
        let mark = format!("kehu-{}", crate::unique());
        self.client
            .execute(
                "window.__kehuDocument = arguments[0]; return true",
                vec![json!(mark)],
            )
            .await
            .unwrap_or_else(|e| panic!("mark the page before clicking {css:?}: {e}"));
        el.click()
            .await
            .unwrap_or_else(|e| panic!("click {css:?}: {e}"));
        self.wait_navigated(css, &mark).await;
    }

    /// Text of the first element matching `css` (waits up to 5 s for it to appear).
    pub async fn text(&self, css: &str) -> String {
        self.wait_for(css)
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("text of {css:?}: {e}"))
    }

    /// Text of the first element matching `css` once it contains `needle` (waits up to 5 s;
    /// the text at the deadline is in the panic): for a part of the page that script fills
    /// in after an answer from the server.
    pub async fn text_containing(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + ELEMENT_WAIT;
        loop {
            let text = self.text(css).await;
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "{css:?} did not come to contain {needle:?} within {ELEMENT_WAIT:?}: {text}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Whether any element matches `css` right now.
    pub async fn exists(&self, css: &str) -> bool {
        !self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css:?}: {e}"))
            .is_empty()
    }

    /// The current URL.
    pub async fn url(&self) -> String {
        self.client
            .current_url()
            .await
            .expect("current URL")
            .to_string()
    }

    /// Saves a PNG screenshot.
    pub async fn screenshot(&self, path: &Path) {
        let png = self.client.screenshot().await.expect("take screenshot");
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("create {}: {e}", parent.display()));
        }
        std::fs::write(path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// Deletes all cookies (log out everyone).
    ///
    /// WebDriver scopes this to the current page's host; tests talk to one server on
    /// 127.0.0.1, so that is all of them (cookies do not depend on the port).
    pub async fn clear_cookies(&self) {
        self.client
            .delete_all_cookies()
            .await
            .expect("delete cookies");
    }

    /// Ends the session and stops chromedriver.
    pub async fn close(self) {
        let Browser {
            client,
            driver,
            _dir,
        } = self;
        // A clean session end lets chromedriver quit Chromium; Driver's drop kills the rest.
        let _ = client.close().await;
        drop(driver);
    }

    async fn wait_for(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(ELEMENT_WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element matches {css:?} within {ELEMENT_WAIT:?}: {e}"))
    }

    /// Waits until the document marked `mark` was replaced by a fully loaded one.
    async fn wait_navigated(&self, css: &str, mark: &str) {
        let deadline = Instant::now() + NAVIGATION_WAIT;
        loop {
            let state = self
                .client
                .execute(
                    "return [window.__kehuDocument || null, document.readyState]",
                    vec![],
                )
                .await;
            match &state {
                Ok(Value::Array(v)) if v[0] != json!(mark) && v[1] == json!("complete") => return,
                // The new page asks the test to answer a dialog.
                Err(e) if e.is_unexpected_alert_open() => return,
                // Mid-navigation the old document can vanish under the script: retry.
                Ok(_) | Err(CmdError::Standard(_)) => {}
                Err(e) => panic!("wait for the page after clicking {css:?}: {e}"),
            }
            assert!(
                Instant::now() < deadline,
                "clicking {css:?} did not lead to a new page within {NAVIGATION_WAIT:?} \
                 (still {state:?}); for a click that stays on the page use `click`"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// WebDriver already waits for navigations it starts; this also covers a navigation
    /// that a click or script started a moment ago.
    async fn wait_loaded(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let state = self
                .client
                .execute("return document.readyState", vec![])
                .await;
            match &state {
                Ok(Value::String(s)) if s == "complete" => return,
                // The page is waiting for the test to answer a dialog.
                Err(e) if e.is_unexpected_alert_open() => return,
                // Mid-navigation the old document can vanish under the script: retry.
                Ok(_) | Err(CmdError::Standard(_)) => {}
                Err(e) => panic!("wait for the page to load: {e}"),
            }
            assert!(
                Instant::now() < deadline,
                "page did not finish loading within 30 s (readyState {state:?})"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Sizes the window so the page viewport, and so every screenshot, is exactly
/// WIDTH x HEIGHT: headless Chromium's window includes browser UI of a version-dependent
/// height.
async fn fit_viewport(client: &Client) {
    client
        .set_window_size(WIDTH, HEIGHT)
        .await
        .expect("set browser window size");
    let ui = client
        .execute(
            "return [outerWidth - innerWidth, outerHeight - innerHeight]",
            vec![],
        )
        .await
        .expect("measure browser UI");
    let extra = |i: usize| {
        ui.get(i)
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0)
    };
    let (dw, dh) = (extra(0), extra(1));
    if dw > 0 || dh > 0 {
        client
            .set_window_size(WIDTH + dw, HEIGHT + dh)
            .await
            .expect("set browser window size");
    }
}

/// The command line options for a root-safe headless Chromium that stays off the network.
fn chrome_options(chromium: &Path, profile: &Path) -> Value {
    json!({
        "binary": chromium.to_string_lossy(),
        "args": [
            "--headless",
            // Root (containers, CI) cannot use the sandbox.
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            // Without these Chromium phones home and the closed network refuses it.
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--password-store=basic",
            "--mute-audio",
            // Reproducible screenshots.
            format!("--window-size={WIDTH},{HEIGHT}"),
            "--force-device-scale-factor=1",
            "--hide-scrollbars",
            format!("--user-data-dir={}", profile.display()),
        ],
        // The same Accept-Language on every machine, whatever its locale.
        "prefs": { "intl.accept_languages": "en-US,en" },
    })
}

/// Escapes `s` for use inside a double-quoted CSS string.
fn css_string(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
