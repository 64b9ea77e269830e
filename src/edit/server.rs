//! The HTTP side of `cyberbcp edit`: a small synchronous server on the
//! loopback interface that lets a request through only when it carries this
//! run's token, names the loopback address and port as its Host (no DNS
//! rebinding) and, when it changes something, comes from the page's own
//! Origin (no cross-site requests). Nothing here logs a request.

use std::io::Read as _;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use super::{Editor, Reply, Request, Response};

/// How long to wait before stopping on one's own.
#[derive(Debug, Clone, Copy)]
pub struct Idle {
    /// Since the last request of the last page (a hidden tab still asks about once a minute).
    pub closed: Duration,
    /// Since start, when no page ever came (the browser did not open, the URL was not pasted).
    pub unopened: Duration,
}

/// Why the server stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    Closed,
    NeverOpened,
}

/// After the page said it was closing, how long a reload has to come back.
const LEFT: Duration = Duration::from_secs(10);

fn send(request: tiny_http::Request, response: Response) {
    let mut out = tiny_http::Response::from_data(response.body).with_status_code(response.status);
    for (name, value) in response
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .chain(SECURITY_HEADERS.iter().copied())
    {
        if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            out.add_header(h);
        }
    }
    // A client that went away is no reason to stop serving.
    let _ = request.respond(out);
}

/// Largest request body: an upload at its cap (see `model::limits`) plus room.
const BODY_LIMIT: u64 = crate::model::limits::IMAGE_BYTES + 1024 * 1024;

pub struct Server {
    http: tiny_http::Server,
    port: u16,
    token: String,
}

impl Server {
    /// Listen on 127.0.0.1 only; port 0 takes a free one.
    pub fn bind(port: u16) -> anyhow::Result<Self> {
        let http = tiny_http::Server::http(("127.0.0.1", port))
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| {
                format!(
                    "127.0.0.1:{port} で待ち受けられません（--port で別の番号を指定してください）"
                )
            })?;
        let port = http
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .context("待ち受けのポート番号が分かりません")?;
        Ok(Self {
            http,
            port,
            token: new_token()?,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// The address to open (the only place the token is shown).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/?token={}", self.port, self.token)
    }

    /// Serve until the last page has been gone for `idle.closed` (an open
    /// page asks every few seconds), or until no page has come at all for
    /// `idle.unopened`; for good when `idle` is `None`.
    pub fn run(&self, editor: &mut Editor, idle: Option<Idle>) -> anyhow::Result<Stopped> {
        let started = Instant::now();
        let mut last: Option<Instant> = None;
        loop {
            let request = self.http.recv_timeout(Duration::from_millis(200))?;
            let Some(mut request) = request else {
                if let Some(idle) = idle {
                    match last {
                        None if started.elapsed() > idle.unopened => {
                            return Ok(Stopped::NeverOpened);
                        }
                        Some(last)
                            if last.elapsed() > idle.closed
                                || editor
                                    .left
                                    .is_some_and(|t| t.elapsed() > idle.closed.min(LEFT)) =>
                        {
                            return Ok(Stopped::Closed);
                        }
                        _ => {}
                    }
                }
                continue;
            };
            let reply = match self.admit(&mut request) {
                Ok(req) => {
                    last = Some(Instant::now());
                    editor.left = None;
                    editor.handle(&req)
                }
                Err(refusal) => Reply::Now(refusal),
            };
            match reply {
                Reply::Now(response) => send(request, response),
                // The PDF is made on the printer's thread; saves go on meanwhile.
                Reply::Later(answer) => {
                    std::thread::spawn(move || {
                        let response = answer.recv().unwrap_or_else(|_| {
                            Response::text(500, "PDF を作る処理が止まっています")
                        });
                        send(request, response);
                    });
                }
            }
        }
    }

    /// The request as the editor sees it, or the refusal to send.
    fn admit(&self, request: &mut tiny_http::Request) -> Result<Request, Response> {
        let header = |name: &'static str| -> Option<String> {
            request
                .headers()
                .iter()
                .find(|h| h.field.equiv(name))
                .map(|h| h.value.as_str().to_string())
        };
        let host = header("Host").unwrap_or_default();
        let method = request.method().as_str().to_ascii_uppercase();
        let (path, query) = match request.url().split_once('?') {
            Some((p, q)) => (p.to_string(), q.to_string()),
            None => (request.url().to_string(), String::new()),
        };
        let req = Request {
            method,
            path,
            query,
            host,
            origin: header("Origin"),
            cookie: header("Cookie"),
            body: Vec::new(),
        };
        check(&req, self.port, &self.token)?;
        if request.body_length().is_some_and(|n| n as u64 > BODY_LIMIT) {
            return Err(Response::text(413, "送られたデータが大きすぎます"));
        }
        let mut body = Vec::new();
        request
            .as_reader()
            .take(BODY_LIMIT + 1)
            .read_to_end(&mut body)
            .map_err(|_| Response::text(400, "送られたデータを読めません"))?;
        if body.len() as u64 > BODY_LIMIT {
            return Err(Response::text(413, "送られたデータが大きすぎます"));
        }
        Ok(Request { body, ..req })
    }
}

/// Sent with every response: scripts and frames only from this server, no
/// referrer (the first URL holds the token), nothing cached.
const SECURITY_HEADERS: &[(&str, &str)] = &[
    (
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; object-src 'self'; frame-ancestors 'self'; form-action 'none'; base-uri 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
];

/// The cookie that carries the token after the first page (ports share cookies).
pub fn cookie_name(port: u16) -> String {
    format!("cyberbcp_{port}")
}

/// Host, token and (for changes) Origin, in that order.
pub fn check(req: &Request, port: u16, token: &str) -> Result<(), Response> {
    let allowed = [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ];
    if !allowed.iter().any(|a| a.eq_ignore_ascii_case(&req.host)) {
        return Err(Response::text(
            403,
            "このサーバーは 127.0.0.1 のこのポートでだけ使えます（Host が違います）",
        ));
    }
    let cookie = cookie_name(port);
    let given = query_value(&req.query, "token").or_else(|| {
        req.cookie.as_deref().and_then(|c| {
            c.split(';')
                .filter_map(|p| p.trim().split_once('='))
                .find(|(n, _)| *n == cookie)
                .map(|(_, v)| v.to_string())
        })
    });
    if !given.is_some_and(|g| same(&g, token)) {
        return Err(Response::text(
            403,
            "鍵（token）がありません。cyberbcp edit が表示した URL を開いてください",
        ));
    }
    if req.method != "GET" && req.method != "HEAD" {
        let expected = format!("http://{}", req.host);
        if !req
            .origin
            .as_deref()
            .is_some_and(|o| o.eq_ignore_ascii_case(&expected))
        {
            return Err(Response::text(
                403,
                "このページ以外からの変更は受け付けません（Origin が違います）",
            ));
        }
    }
    Ok(())
}

/// Compare without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A value of `a=1&b=2`, percent-decoded.
pub fn query_value(query: &str, name: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(n, _)| *n == name)
        .and_then(|(_, v)| percent_decode(v))
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = text.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// 128 random bits from the system's generator, as hex.
fn new_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("乱数を得られません: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, host: &str, query: &str, origin: Option<&str>) -> Request {
        Request {
            method: method.into(),
            path: "/".into(),
            query: query.into(),
            host: host.into(),
            origin: origin.map(String::from),
            cookie: None,
            body: Vec::new(),
        }
    }

    #[test]
    fn refuses_wrong_host_token_and_origin() {
        let ok = req("GET", "127.0.0.1:5000", "token=abc", None);
        assert!(check(&ok, 5000, "abc").is_ok());
        assert!(
            check(
                &req("GET", "evil.example:5000", "token=abc", None),
                5000,
                "abc"
            )
            .is_err()
        );
        assert!(
            check(
                &req("GET", "127.0.0.1:5001", "token=abc", None),
                5000,
                "abc"
            )
            .is_err()
        );
        assert!(
            check(
                &req("GET", "127.0.0.1:5000", "token=abd", None),
                5000,
                "abc"
            )
            .is_err()
        );
        let post = |origin| req("POST", "127.0.0.1:5000", "token=abc", origin);
        assert!(check(&post(Some("http://127.0.0.1:5000")), 5000, "abc").is_ok());
        assert!(check(&post(Some("http://evil.example")), 5000, "abc").is_err());
        assert!(check(&post(None), 5000, "abc").is_err());
        let mut by_cookie = req("GET", "localhost:5000", "", None);
        by_cookie.cookie = Some("a=b; cyberbcp_5000=abc".into());
        assert!(check(&by_cookie, 5000, "abc").is_ok());
        assert_eq!(
            query_value("name=%E5%8F%B0%E5%B8%B3.csv", "name").as_deref(),
            Some("台帳.csv")
        );
        assert_eq!(new_token().unwrap().len(), 32);
    }
}
