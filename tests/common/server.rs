//! A tiny HTTP/1.1 server on 127.0.0.1 for tests of `sealant probe` (tests/probe.rs, and
//! README's after-deploy jobs in tests/docs.rs): routes as a function of the path, every
//! request logged, and the hostile answers a probe must survive (a 5 GB body, a slow-loris
//! trickle, redirects).
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
}

/// What the server answers for a path.
pub enum Answer {
    /// Status, content type, body.
    Full(u16, &'static str, Vec<u8>),
    /// A redirect to this location.
    Redirect(String),
    /// `Content-Length: 5 GB`, then zeros for as long as the client reads.
    Endless,
    /// One byte every 300 ms.
    Slow,
}

pub type Routes = dyn Fn(&str) -> Answer + Send + Sync;

/// A tiny HTTP/1.1 server: one thread per connection, `Connection: close`.
pub struct Server {
    pub port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    pub fn start(routes: Arc<Routes>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let routes = Arc::clone(&routes);
                let log = Arc::clone(&log);
                std::thread::spawn(move || serve(stream, &*routes, &log));
            }
        });
        Server { port, seen }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("log").clone()
    }
}

fn serve(stream: TcpStream, routes: &Routes, log: &Mutex<Vec<Seen>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() || line.is_empty() {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    log.lock().expect("log").push(Seen {
        method,
        path: path.clone(),
        headers,
    });
    let mut out = stream;
    let _ = match routes(&path) {
        Answer::Full(status, ctype, body) => {
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: {ctype}\r\ncontent-length: {}\r\n\
                 set-cookie: session=abc\r\nconnection: close\r\n\r\n",
                body.len()
            );
            out.write_all(head.as_bytes()).and_then(|_| out.write_all(&body))
        }
        Answer::Redirect(to) => out.write_all(
            format!("HTTP/1.1 302 Found\r\nlocation: {to}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                .as_bytes(),
        ),
        Answer::Endless => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/javascript\r\n\
                        content-length: 5000000000\r\nconnection: close\r\n\r\n";
            let chunk = vec![b'a'; 64 * 1024];
            let mut r = out.write_all(head.as_bytes());
            while r.is_ok() {
                r = out.write_all(&chunk);
            }
            r
        }
        Answer::Slow => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/javascript\r\n\
                        content-length: 100000\r\nconnection: close\r\n\r\n";
            let mut r = out.write_all(head.as_bytes());
            for _ in 0..1000 {
                if r.is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(300));
                r = out.write_all(b"x").and_then(|_| out.flush());
            }
            r
        }
    };
}

pub fn ok(ctype: &'static str, body: impl Into<Vec<u8>>) -> Answer {
    Answer::Full(200, ctype, body.into())
}

pub fn not_found() -> Answer {
    Answer::Full(
        404,
        "text/html",
        b"<!doctype html><html><body><h1>Not Found</h1></body></html>".to_vec(),
    )
}
