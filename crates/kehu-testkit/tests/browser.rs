//! The browser harness against a tiny hand-written HTTP server: if these fail, every
//! browser test in the workspace would fail for reasons unrelated to Kehu.

use kehu_testkit::browser::Browser;
use std::collections::HashMap;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

const FORM: &str = r#"<!doctype html>
<html><head><title>Form</title></head><body>
<form method="post" action="/submit">
  <input name="who">
  <select name="color">
    <option value="red">Red</option>
    <option value="green">Green</option>
    <option value="blue">Blue</option>
  </select>
  <textarea name="note"></textarea>
  <input type="date" name="due">
  <input type="checkbox" name="vip" value="yes">
  <input type="radio" name="size" value="s"><input type="radio" name="size" value="l">
  <button id="send" type="submit">Send</button>
</form>
</body></html>"#;

/// Serves `FORM` at `/`, echoes a POST to `/submit` (and sends its decoded fields to the
/// returned channel), sets a cookie there, and shows the request's cookies at `/cookies`.
async fn serve() -> (String, mpsc::UnboundedReceiver<HashMap<String, String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("local addr"));
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            // Chromium opens speculative connections that never send a request.
            tokio::spawn(handle(stream, tx.clone()));
        }
    });
    (base, rx)
}

async fn handle(mut stream: TcpStream, tx: mpsc::UnboundedSender<HashMap<String, String>>) {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let header = |name: &str| {
        head.lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
    };
    let length: usize = header("content-length").map_or(0, |v| v.parse().expect("length"));
    while buf.len() < head_end + length {
        let mut chunk = [0; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let body = String::from_utf8_lossy(&buf[head_end..head_end + length]).into_owned();
    let request_line = head.lines().next().unwrap_or_default();
    let (status, extra, page) = if request_line.starts_with("GET / ") {
        ("200 OK", "", FORM.to_owned())
    } else if request_line.starts_with("POST /submit ") {
        let fields = decode_form(&body);
        let who = fields.get("who").cloned().unwrap_or_default();
        let _ = tx.send(fields);
        (
            "200 OK",
            "Set-Cookie: session=abc; Path=/; HttpOnly\r\n",
            format!(
                "<!doctype html><h1 id=\"done\">Thanks</h1><p id=\"who\">{}</p>",
                html_escape(&who)
            ),
        )
    } else if request_line.starts_with("GET /confirm ") {
        let page = r#"<!doctype html><button id="go"
            onclick="if (confirm('Sure?')) location = '/cookies'">Go</button>"#;
        ("200 OK", "", page.to_owned())
    } else if request_line.starts_with("GET /cookies ") {
        let cookies = header("cookie").unwrap_or_default();
        (
            "200 OK",
            "",
            format!(
                "<!doctype html><p id=\"cookies\">[{}]</p>",
                html_escape(&cookies)
            ),
        )
    } else {
        ("404 Not Found", "", "not found".to_owned())
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         {extra}Connection: close\r\n\r\n{page}",
        page.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn decode_form(body: &str) -> HashMap<String, String> {
    body.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("hex");
                out.push(u8::from_str_radix(hex, 16).expect("hex digit"));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).expect("utf-8 form value")
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[tokio::test]
async fn fills_and_submits_a_form() {
    let (base, mut received) = serve().await;
    let browser = Browser::start().await;
    browser.goto(&format!("{base}/")).await;
    assert!(browser.exists("#send").await);
    assert!(!browser.exists("#done").await);

    browser.fill("who", "Ada Lövelace & co").await;
    browser.fill("who", "Ada Lovelace & co").await; // refilling replaces, not appends
    browser.fill("color", "green").await;
    browser.fill("note", "line one\nline two").await;
    browser.fill("due", "2030-04-05").await;
    browser.fill("vip", "true").await;
    browser.fill("size", "l").await;
    browser.click("#send").await;

    assert_eq!(browser.text("#who").await, "Ada Lovelace & co");
    assert_eq!(browser.text("h1").await, "Thanks");
    assert_eq!(browser.url().await, format!("{base}/submit"));
    let fields = received.recv().await.expect("the server got the form");
    let get = |k: &str| fields.get(k).map(String::as_str);
    assert_eq!(get("who"), Some("Ada Lovelace & co"));
    assert_eq!(get("color"), Some("green"));
    assert_eq!(get("note"), Some("line one\r\nline two"));
    assert_eq!(get("due"), Some("2030-04-05"));
    assert_eq!(get("vip"), Some("yes"));
    assert_eq!(get("size"), Some("l"));

    // The HttpOnly cookie from /submit is sent back, and gone after clear_cookies.
    browser.goto(&format!("{base}/cookies")).await;
    assert_eq!(browser.text("#cookies").await, "[session=abc]");
    browser.clear_cookies().await;
    browser.goto(&format!("{base}/cookies")).await;
    assert_eq!(browser.text("#cookies").await, "[]");

    let dir = tempfile::tempdir().expect("temp dir");
    let shot = dir.path().join("shots/form.png");
    browser.screenshot(&shot).await;
    let png = std::fs::read(&shot).expect("screenshot written");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let size = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().expect("IHDR"));
    assert_eq!((size(16), size(20)), (1280, 900), "fixed viewport size");
    browser.close().await;
}

#[tokio::test]
async fn parallel_browsers_are_independent() {
    let (base, _received) = serve().await;
    let (a, b) = tokio::join!(Browser::start(), Browser::start());
    a.goto(&format!("{base}/")).await;
    a.fill("who", "a").await;
    a.click("#send").await;
    assert_eq!(a.text("#who").await, "a");
    // Separate profiles: b never saw a's cookie.
    b.goto(&format!("{base}/cookies")).await;
    assert_eq!(b.text("#cookies").await, "[]");
    a.goto(&format!("{base}/cookies")).await;
    assert_eq!(a.text("#cookies").await, "[session=abc]");
    a.close().await;
    b.close().await;
}

#[tokio::test]
async fn dialogs_are_left_to_the_test() {
    let (base, _received) = serve().await;
    let browser = Browser::start().await;
    browser.goto(&format!("{base}/confirm")).await;
    browser.click("#go").await;
    assert_eq!(
        browser.client.get_alert_text().await.expect("dialog open"),
        "Sure?"
    );
    browser.client.accept_alert().await.expect("accept dialog");
    assert_eq!(browser.text("#cookies").await, "[]");
    browser.close().await;
}
