//! A fake language-model server on 127.0.0.1 for the provider tests: it answers a script of
//! replies, one per connection (each with `Connection: close`), and records every request it
//! read exactly (method, path, headers, body). Replies are sent with chunked transfer
//! encoding, piece by piece, with optional delays, so a client sees a stream arrive.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// Header names lowercased, in the order sent.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("the request body is JSON")
    }
}

/// One scripted reply.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub pieces: Vec<Vec<u8>>,
    /// Before the status line.
    pub delay_first: Duration,
    /// Between two pieces.
    pub delay_between: Duration,
    /// Close the connection after the pieces without ending the chunked body.
    pub cut: bool,
}

impl Reply {
    pub fn new(status: u16, content_type: &str, pieces: Vec<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            pieces,
            delay_first: Duration::ZERO,
            delay_between: Duration::ZERO,
            cut: false,
        }
    }
    /// A JSON document in one piece.
    pub fn json(status: u16, body: &str) -> Reply {
        Reply::new(status, "application/json", vec![body.as_bytes().to_vec()])
    }
    /// Server-Sent Events, one piece per event: `(event name, data)`.
    pub fn sse(events: &[(Option<&str>, String)]) -> Reply {
        let pieces = events
            .iter()
            .map(|(name, data)| {
                let mut s = String::new();
                if let Some(n) = name {
                    s.push_str(&format!("event: {n}\n"));
                }
                s.push_str(&format!("data: {data}\n\n"));
                s.into_bytes()
            })
            .collect();
        Reply::new(200, "text/event-stream", pieces)
    }
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
    pub fn after(mut self, d: Duration) -> Reply {
        self.delay_first = d;
        self
    }
    pub fn between(mut self, d: Duration) -> Reply {
        self.delay_between = d;
        self
    }
    pub fn cut(mut self) -> Reply {
        self.cut = true;
        self
    }
}

/// A running fake server.
pub struct Server {
    port: u16,
    recorded: Arc<Mutex<Vec<Recorded>>>,
}

impl Server {
    /// Serves `script`, one reply per connection, then stops listening (a further request
    /// is refused, so an unexpected retry shows).
    pub fn start(script: Vec<Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local addr").port();
        let recorded = Arc::new(Mutex::new(Vec::new()));
        let rec = recorded.clone();
        thread::spawn(move || {
            for reply in script {
                let Ok((stream, _)) = listener.accept() else {
                    return;
                };
                serve(stream, &reply, &rec);
            }
        });
        Server { port, recorded }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.recorded.lock().expect("recorded").clone()
    }
}

fn serve(stream: TcpStream, reply: &Reply, rec: &Mutex<Vec<Recorded>>) {
    let Some(request) = read_request(&stream) else {
        return;
    };
    rec.lock().expect("recorded").push(request);
    thread::sleep(reply.delay_first);
    let mut out = stream;
    let mut head = format!("HTTP/1.1 {} Fake\r\n", reply.status);
    for (n, v) in &reply.headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("transfer-encoding: chunked\r\nconnection: close\r\n\r\n");
    if out.write_all(head.as_bytes()).is_err() {
        return;
    }
    for (i, piece) in reply.pieces.iter().enumerate() {
        if i > 0 {
            thread::sleep(reply.delay_between);
        }
        if piece.is_empty() {
            continue;
        }
        let mut chunk = format!("{:x}\r\n", piece.len()).into_bytes();
        chunk.extend_from_slice(piece);
        chunk.extend_from_slice(b"\r\n");
        if out.write_all(&chunk).and_then(|_| out.flush()).is_err() {
            return;
        }
    }
    if !reply.cut {
        let _ = out.write_all(b"0\r\n\r\n");
    }
    let _ = out.flush();
}

fn read_request(stream: &TcpStream) -> Option<Recorded> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (n, v) = h.split_once(':')?;
        headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Recorded {
        method,
        path,
        headers,
        body: String::from_utf8(body).ok()?,
    })
}
