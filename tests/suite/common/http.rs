//! A running `cyberbcp edit` and a plain HTTP/1.1 client that can send any
//! Host, Origin or path (a browser would not let us forge them).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct Editor {
    child: Child,
    pub port: u16,
    pub token: String,
}

impl Drop for Editor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Editor {
    /// `cyberbcp edit FILE --no-open --port 0`, once it prints its URL.
    pub fn start(file: &Path) -> Self {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("cyberbcp"))
            .args(["edit", "--no-open", "--port", "0", "--color", "never"])
            .arg(file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cyberbcp edit starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let line = lines.next().expect("cyberbcp edit prints its URL").unwrap();
        // Keep reading stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let url = &line[line.find("http://").expect(&line)..];
        let port = url["http://127.0.0.1:".len()..]
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let token = url.split("token=").nth(1).unwrap().trim().to_string();
        Self { child, port, token }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/?token={}", self.port, self.token)
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A GET with the token in the query.
    pub fn get(&self, path: &str) -> Reply {
        let sep = if path.contains('?') { '&' } else { '?' };
        self.raw(
            "GET",
            &format!("{path}{sep}token={}", self.token),
            &self.host(),
            None,
            b"",
        )
    }

    /// A POST as the page sends it (token, Host and Origin right).
    pub fn post(&self, path: &str, body: &[u8]) -> Reply {
        let sep = if path.contains('?') { '&' } else { '?' };
        let origin = self.origin();
        self.raw(
            "POST",
            &format!("{path}{sep}token={}", self.token),
            &self.host(),
            Some(&origin),
            body,
        )
    }

    pub fn raw(
        &self,
        method: &str,
        target: &str,
        host: &str,
        origin: Option<&str>,
        body: &[u8],
    ) -> Reply {
        request(self.port, method, target, host, origin, body)
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: String,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }
}

/// One request on its own connection; the reply read to its Content-Length.
pub fn request(
    port: u16,
    method: &str,
    target: &str,
    host: &str,
    origin: Option<&str>,
    body: &[u8],
) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(o) = origin {
        head.push_str(&format!("Origin: {o}\r\n"));
    }
    if method == "POST" {
        head.push_str("Content-Type: application/json\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    // Read the head, then the body to its Content-Length (a server may keep
    // the connection open), or to the end.
    let mut all = Vec::new();
    let mut buf = [0u8; 65536];
    let split = loop {
        if let Some(at) = all.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "the connection closed before a reply");
        all.extend_from_slice(&buf[..n]);
    };
    let headers = String::from_utf8_lossy(&all[..split]).into_owned();
    let length = headers
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        })
        .and_then(|(_, v)| v.trim().parse::<usize>().ok());
    match length {
        Some(length) => {
            while all.len() < split + 4 + length {
                let n = stream.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                all.extend_from_slice(&buf[..n]);
            }
        }
        None => {
            stream.read_to_end(&mut all).unwrap();
        }
    }
    let status = headers.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = all[split + 4..].to_vec();
    if headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = data.windows(2).position(|w| w == b"\r\n") else {
            break;
        };
        let size = usize::from_str_radix(std::str::from_utf8(&data[..end]).unwrap().trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
    out
}
