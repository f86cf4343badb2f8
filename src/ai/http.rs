//! What the network providers share: one ureq agent per provider (a timeout from sending to
//! the last byte, no redirects — requests go only to the configured base URL), retries with
//! exponential backoff on 429 and 5xx (honouring Retry-After), a client-side rate limit across
//! the process, reading a reply as Server-Sent Events or as one JSON document under a size
//! limit, and the system text both providers send. Every error it makes is one
//! [`AiError`] sentence; text that came from a server is scrubbed of the key before it goes
//! into one, so a key never reaches a message, a log or the screen. (tdaw installs no logger;
//! ureq's TRACE wire log is not redacted, so none may be added for this module.)

use super::{AiError, Cancel, Request, Role, Settings};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

/// The first wait after a 429 or 5xx without Retry-After; doubled per attempt.
const BACKOFF_START: Duration = Duration::from_millis(500);
/// The longest backoff between two attempts.
const BACKOFF_MAX: Duration = Duration::from_secs(8);
/// A Retry-After longer than this is not waited for: the request gives up at once.
const RETRY_AFTER_MAX: Duration = Duration::from_secs(60);
/// How much of an error reply is read for its message.
const ERROR_BODY_MAX: usize = 64 << 10;
/// How often a wait looks at the cancel flag.
const CANCEL_POLL: Duration = Duration::from_millis(20);

/// A POST client of one endpoint: the agent, the limits from [`Settings`], and the secret
/// to scrub from anything a server says.
pub struct Client {
    agent: ureq::Agent,
    provider: &'static str,
    url: String,
    timeout: Duration,
    max_retries: u32,
    max_reply_bytes: usize,
    requests_per_minute: u32,
    secret: Option<String>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("provider", &self.provider)
            .field("url", &self.url)
            .field("timeout", &self.timeout)
            .field("secret", &self.secret.as_ref().map(|_| "****"))
            .finish()
    }
}

impl Client {
    /// A client posting to `url` (checked to be http or https). `secret` is the key the
    /// caller sends in a header; it is only used here to scrub server text.
    pub fn new(
        provider: &'static str,
        url: String,
        settings: &Settings,
        secret: Option<String>,
    ) -> Result<Client, AiError> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(AiError::Other(format!(
                "the {provider} base URL '{}' must start with http:// or https://",
                display_url(&url)
            )));
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(settings.timeout))
            // A redirect would send the request (and its key) somewhere else: the 3xx is
            // returned as it is and refused.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .http_status_as_error(false)
            .user_agent(concat!("tdaw/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Ok(Client {
            agent,
            provider,
            url,
            timeout: settings.timeout,
            max_retries: settings.max_retries,
            max_reply_bytes: settings.max_reply_bytes,
            requests_per_minute: settings.requests_per_minute,
            secret,
        })
    }

    /// The endpoint, without anything secret a URL could hold (user info, query).
    pub fn url(&self) -> String {
        display_url(&self.url)
    }

    /// Posts `body` as JSON with `headers`, waiting for the rate limit and retrying 429 and
    /// 5xx; the reply's body when the status is 2xx.
    pub fn post(
        &self,
        headers: &[(&str, String)],
        body: &serde_json::Value,
        cancel: &Cancel,
    ) -> Result<Body, AiError> {
        let payload = body.to_string();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            wait_for_rate_limit(self.requests_per_minute, cancel)?;
            if cancel.is_cancelled() {
                return Err(AiError::Cancelled);
            }
            let mut req = self
                .agent
                .post(&self.url)
                .header("content-type", "application/json");
            for (name, value) in headers {
                req = req.header(*name, value.as_str());
            }
            let payload = payload.clone();
            // Waiting for the reply's head happens on a thread of its own, so a cancel
            // returns at once (the thread ends by itself, at the latest at the timeout).
            let resp = off_thread(cancel, move || req.send(payload.as_str()))?
                .map_err(|e| self.transport(e))?;
            let status = resp.status().as_u16();
            if (200..300).contains(&status) {
                return Ok(Body::new(
                    resp.into_body().into_reader(),
                    self.max_reply_bytes,
                    self,
                    cancel,
                ));
            }
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            if status == 429 || status >= 500 {
                let wait = retry_after.unwrap_or_else(|| backoff(attempt));
                if attempt > self.max_retries || wait > RETRY_AFTER_MAX {
                    return Err(AiError::GaveUp {
                        provider: self.provider,
                        status,
                        attempts: attempt,
                    });
                }
                drop(resp);
                sleep_cancellable(wait, cancel)?;
                continue;
            }
            if status == 401 || status == 403 {
                return Err(AiError::BadKey {
                    provider: self.provider,
                    status,
                });
            }
            let message = if (300..400).contains(&status) {
                "redirects are not followed (requests go only to the configured base URL)".into()
            } else {
                let mut body =
                    Body::new(resp.into_body().into_reader(), ERROR_BODY_MAX, self, cancel);
                error_message(&body.read_start(), self.secret.as_deref())
            };
            return Err(AiError::Refused {
                provider: self.provider,
                status,
                message,
            });
        }
    }

    fn transport(&self, e: ureq::Error) -> AiError {
        transport_error(
            e,
            self.provider,
            &self.url(),
            self.timeout,
            self.secret.as_deref(),
        )
    }
}

/// One AiError for a ureq error (sending, or reading a body).
fn transport_error(
    e: ureq::Error,
    provider: &'static str,
    url: &str,
    timeout: Duration,
    secret: Option<&str>,
) -> AiError {
    let network = |reason: String| AiError::Network {
        url: url.to_string(),
        reason: scrub(&reason, secret),
    };
    match e {
        ureq::Error::Timeout(_) => AiError::Timeout {
            provider,
            secs: timeout.as_secs_f64().ceil() as u64,
        },
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => AiError::Timeout {
            provider,
            secs: timeout.as_secs_f64().ceil() as u64,
        },
        ureq::Error::Io(io) => network(io.to_string()),
        ureq::Error::HostNotFound => network("host not found".into()),
        ureq::Error::ConnectionFailed => network("connection failed".into()),
        ureq::Error::BadUri(_) => {
            AiError::Other(format!("the {provider} URL '{url}' is not valid"))
        }
        ureq::Error::Protocol(p) => AiError::Malformed {
            provider,
            what: scrub(&format!("not an HTTP reply ({p})"), secret),
        },
        // A header ureq refused to send: the message names the header, never its value.
        ureq::Error::Http(_) => AiError::Other(format!(
            "a request header for {provider} is not valid (a key with spaces or line breaks?)"
        )),
        other => network(other.to_string()),
    }
}

/// The wait before attempt `attempt + 1` when the server gave no Retry-After.
pub fn backoff(attempt: u32) -> Duration {
    let factor = 1u32 << attempt.saturating_sub(1).min(16);
    (BACKOFF_START * factor).min(BACKOFF_MAX)
}

/// Retry-After in seconds (`"2"`, `"1.5"`); the HTTP-date form is not used (None: backoff).
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let secs: f64 = v.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(86_400.0)))
}

/// The message of an error reply: `error.message` (OpenAI and Anthropic both), else the
/// body's first line; one line, at most 300 characters, the key scrubbed.
pub fn error_message(body: &str, secret: Option<&str>) -> String {
    let json = serde_json::from_str::<serde_json::Value>(body).ok();
    let from_json = json.as_ref().and_then(|v| {
        v.pointer("/error/message")
            .or_else(|| v.get("message"))
            .or_else(|| v.get("error"))
            .and_then(|m| m.as_str())
            .map(str::to_string)
    });
    let text = from_json.unwrap_or_else(|| body.lines().next().unwrap_or("").to_string());
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = scrub(&one_line, secret);
    if out.chars().count() > 300 {
        out = out.chars().take(299).collect::<String>() + "…";
    }
    if out.is_empty() {
        "no reason given".into()
    } else {
        out
    }
}

/// `text` with every occurrence of `secret` masked.
pub fn scrub(text: &str, secret: Option<&str>) -> String {
    match secret {
        Some(s) if !s.is_empty() => text.replace(s, "****"),
        _ => text.to_string(),
    }
}

/// A URL as it may be shown: no user info, no query or fragment.
pub fn display_url(url: &str) -> String {
    let cut = url.find(['?', '#']).unwrap_or(url.len());
    let url = &url[..cut];
    match url.find("://") {
        Some(i) => {
            let (scheme, rest) = url.split_at(i + 3);
            let host_end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(host_end);
            let host = authority.rsplit('@').next().unwrap_or(authority);
            format!("{scheme}{host}{path}")
        }
        None => url.to_string(),
    }
}

/// Sleeps `d`, waking every [`CANCEL_POLL`] to look at `cancel`.
pub fn sleep_cancellable(d: Duration, cancel: &Cancel) -> Result<(), AiError> {
    let end = Instant::now() + d;
    loop {
        if cancel.is_cancelled() {
            return Err(AiError::Cancelled);
        }
        let now = Instant::now();
        if now >= end {
            return Ok(());
        }
        std::thread::sleep((end - now).min(CANCEL_POLL));
    }
}

/// The requests sent in the last minute, across the process (every provider, every thread).
#[derive(Debug, Default)]
pub struct Window {
    sent: VecDeque<Instant>,
}

impl Window {
    /// Admits a request at `now` under `per_minute` (recording it), or says how long to wait.
    pub fn admit(&mut self, now: Instant, per_minute: u32) -> Result<(), Duration> {
        const MINUTE: Duration = Duration::from_secs(60);
        while self
            .sent
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= MINUTE)
        {
            self.sent.pop_front();
        }
        let per_minute = per_minute.max(1) as usize;
        if self.sent.len() >= per_minute {
            // The request that must leave the window before this one may go.
            let blocking = self.sent[self.sent.len() - per_minute];
            return Err((blocking + MINUTE).saturating_duration_since(now));
        }
        self.sent.push_back(now);
        Ok(())
    }
}

fn window() -> &'static Mutex<Window> {
    static WINDOW: OnceLock<Mutex<Window>> = OnceLock::new();
    WINDOW.get_or_init(|| Mutex::new(Window::default()))
}

/// Waits (cancellably) until the process has sent fewer than `per_minute` requests in the
/// last minute, and counts this one.
pub fn wait_for_rate_limit(per_minute: u32, cancel: &Cancel) -> Result<(), AiError> {
    wait_in(window(), per_minute, cancel)
}

fn wait_in(window: &Mutex<Window>, per_minute: u32, cancel: &Cancel) -> Result<(), AiError> {
    loop {
        let verdict = {
            // A poisoned lock only means another thread panicked while holding a list of
            // instants; the list is still usable.
            let mut w = window.lock().unwrap_or_else(|p| p.into_inner());
            w.admit(Instant::now(), per_minute)
        };
        match verdict {
            Ok(()) => return Ok(()),
            Err(wait) => sleep_cancellable(wait.min(Duration::from_millis(250)), cancel)?,
        }
    }
}

/// True when `head` (a body's first non-blank bytes) begins an SSE field or comment; a
/// JSON document, an HTML error page or anything else is read whole (and refused when it is
/// not the JSON expected).
fn starts_like_sse(head: &[u8]) -> bool {
    [b":".as_slice(), b"data:", b"event:", b"id:", b"retry:"]
        .iter()
        .any(|p| head.starts_with(p) || (head.len() < p.len() && p.starts_with(head)))
}

/// Runs `f` on a thread of its own and waits for its result, looking at `cancel` every
/// [`CANCEL_POLL`]; a cancelled wait returns at once and leaves the thread to finish.
fn off_thread<T: Send + 'static>(
    cancel: &Cancel,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AiError> {
    let (tx, rx) = mpsc::sync_channel(1);
    thread::Builder::new()
        .name("tdaw-ai-request".into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|e| AiError::Other(format!("cannot start the request's thread: {e}")))?;
    loop {
        if cancel.is_cancelled() {
            return Err(AiError::Cancelled);
        }
        match rx.recv_timeout(CANCEL_POLL) {
            Ok(v) => return Ok(v),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                return Err(AiError::Other("the request's thread stopped".into()))
            }
        }
    }
}

/// The error a [`Pump`] read returns once cancelled.
#[derive(Debug)]
struct CancelledRead;

impl std::fmt::Display for CancelledRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cancelled")
    }
}

impl std::error::Error for CancelledRead {}

/// A body read on a thread of its own and handed over in chunks, so that a reader waiting
/// for the next bytes still sees a cancel within [`CANCEL_POLL`]. When the `Pump` is dropped
/// the thread's next send fails and it ends (closing the connection).
struct Pump {
    rx: Receiver<std::io::Result<Vec<u8>>>,
    cancel: Cancel,
    chunk: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Pump {
    fn start(mut reader: impl Read + Send + 'static, cancel: Cancel) -> Pump {
        let (tx, rx) = mpsc::sync_channel(8);
        let spawned = thread::Builder::new()
            .name("tdaw-ai-reply".into())
            .spawn(move || loop {
                let mut buf = vec![0u8; 16 << 10];
                match reader.read(&mut buf) {
                    Ok(n) => {
                        buf.truncate(n);
                        if tx.send(Ok(buf)).is_err() || n == 0 {
                            return;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            });
        let mut pump = Pump {
            rx,
            cancel,
            chunk: Vec::new(),
            pos: 0,
            done: false,
        };
        if let Err(e) = spawned {
            // No thread: the first read reports it.
            let (tx, rx) = mpsc::sync_channel(1);
            let _ = tx.send(Err(std::io::Error::other(format!(
                "cannot start the reply's thread: {e}"
            ))));
            pump.rx = rx;
        }
        pump
    }
}

impl Read for Pump {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos >= self.chunk.len() {
            if self.done {
                return Ok(0);
            }
            if self.cancel.is_cancelled() {
                return Err(std::io::Error::other(CancelledRead));
            }
            match self.rx.recv_timeout(CANCEL_POLL) {
                Ok(Ok(chunk)) => {
                    self.done = chunk.is_empty();
                    self.chunk = chunk;
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => self.done = true,
            }
        }
        let n = out.len().min(self.chunk.len() - self.pos);
        out[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// One Server-Sent Event: its `event:` name (if any) and its `data:` lines joined by `\n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub name: Option<String>,
    pub data: String,
}

/// A 2xx reply's body, read line by line (SSE) or whole (JSON), never past the size limit.
pub struct Body {
    reader: BufReader<Box<dyn Read + Send>>,
    read: usize,
    limit: usize,
    provider: &'static str,
    /// The endpoint as shown (for a connection lost part way).
    url: String,
    secret: Option<String>,
    timeout: Duration,
}

impl Body {
    fn new(
        reader: impl Read + Send + 'static,
        limit: usize,
        client: &Client,
        cancel: &Cancel,
    ) -> Body {
        Body {
            reader: BufReader::new(Box::new(Pump::start(reader, cancel.clone()))),
            read: 0,
            limit,
            provider: client.provider,
            url: client.url(),
            secret: client.secret.clone(),
            timeout: client.timeout,
        }
    }

    /// A body over any reader (for tests of the parsers).
    pub fn from_reader(reader: impl Read + Send + 'static, limit: usize) -> Body {
        Body {
            reader: BufReader::new(Box::new(reader)),
            read: 0,
            limit,
            provider: "test",
            url: "test".into(),
            secret: None,
            timeout: Duration::from_secs(1),
        }
    }

    fn io_error(&self, e: std::io::Error) -> AiError {
        if e.get_ref().is_some_and(|inner| inner.is::<CancelledRead>()) {
            return AiError::Cancelled;
        }
        transport_error(
            ureq::Error::from(e),
            self.provider,
            &self.url,
            self.timeout,
            self.secret.as_deref(),
        )
    }

    fn too_long(&self) -> AiError {
        AiError::TooLong {
            provider: self.provider,
            limit_bytes: self.limit,
        }
    }

    /// True when the body is a stream of events rather than one JSON document (decided on
    /// its first bytes, because some local servers send either whatever the headers say).
    pub fn is_event_stream(&mut self) -> Result<bool, AiError> {
        loop {
            // (Some(is a stream), _) once a non-blank byte is seen; (None, n): n blank bytes.
            let seen = self.reader.fill_buf().map(|buf| {
                if buf.is_empty() {
                    return (Some(false), 0);
                }
                match buf.iter().position(|b| !b.is_ascii_whitespace()) {
                    Some(i) => (Some(starts_like_sse(&buf[i..])), 0),
                    None => (None, buf.len()),
                }
            });
            match seen {
                Err(e) => return Err(self.io_error(e)),
                Ok((Some(stream), _)) => return Ok(stream),
                Ok((None, n)) => {
                    self.read += n;
                    self.reader.consume(n);
                    if self.read > self.limit {
                        return Err(self.too_long());
                    }
                }
            }
        }
    }

    /// The next line without its line ending; None at the end of the body.
    pub fn next_line(&mut self) -> Result<Option<String>, AiError> {
        let mut line = Vec::new();
        // Never buffer more than the limit, even for one endless line.
        let room = (self.limit - self.read.min(self.limit)) as u64 + 1;
        let n = (&mut self.reader)
            .take(room)
            .read_until(b'\n', &mut line)
            .map_err(|e| self.io_error(e))?;
        self.read += n;
        if self.read > self.limit {
            return Err(self.too_long());
        }
        if n == 0 {
            return Ok(None);
        }
        while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            line.pop();
        }
        String::from_utf8(line)
            .map(Some)
            .map_err(|_| AiError::Malformed {
                provider: self.provider,
                what: "a line of the reply is not UTF-8".into(),
            })
    }

    /// The next event; None at the end of the stream. Looks at `cancel` after every line.
    pub fn next_event(&mut self, cancel: &Cancel) -> Result<Option<Event>, AiError> {
        let mut name = None;
        let mut data: Option<String> = None;
        loop {
            if cancel.is_cancelled() {
                return Err(AiError::Cancelled);
            }
            let Some(line) = self.next_line()? else {
                return Ok(data.map(|data| Event { name, data }));
            };
            if line.is_empty() {
                if let Some(data) = data.take() {
                    return Ok(Some(Event { name, data }));
                }
                name = None;
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = match line.split_once(':') {
                Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
                None => (line.as_str(), ""),
            };
            match field {
                "event" => name = Some(value.to_string()),
                "data" => match &mut data {
                    Some(d) => {
                        d.push('\n');
                        d.push_str(value);
                    }
                    None => data = Some(value.to_string()),
                },
                _ => {}
            }
        }
    }

    /// The rest of the body as text.
    pub fn read_to_string(&mut self) -> Result<String, AiError> {
        let mut out = Vec::new();
        let room = (self.limit - self.read.min(self.limit)) as u64 + 1;
        let n = (&mut self.reader)
            .take(room)
            .read_to_end(&mut out)
            .map_err(|e| self.io_error(e))?;
        self.read += n;
        if self.read > self.limit {
            return Err(self.too_long());
        }
        String::from_utf8(out).map_err(|_| AiError::Malformed {
            provider: self.provider,
            what: "the reply is not UTF-8".into(),
        })
    }

    /// Up to the limit's worth of the rest of the body, as text (an error reply's start says
    /// enough; a longer or broken one still leaves its status to report).
    fn read_start(&mut self) -> String {
        let mut out = Vec::new();
        // On an error the bytes read so far are kept in `out`.
        let _ = (&mut self.reader)
            .take(self.limit as u64)
            .read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// The rest of the body as one JSON document.
    pub fn read_json(&mut self) -> Result<serde_json::Value, AiError> {
        let text = self.read_to_string()?;
        serde_json::from_str(&text).map_err(|e| AiError::Malformed {
            provider: self.provider,
            what: format!("the reply is not JSON ({e})"),
        })
    }

    /// Parses one event's data as JSON.
    pub fn event_json(&self, data: &str) -> Result<serde_json::Value, AiError> {
        serde_json::from_str(data).map_err(|e| AiError::Malformed {
            provider: self.provider,
            what: format!("an event of the stream is not JSON ({e})"),
        })
    }
}

/// The system text both providers send: what tdaw is, how to use the tools, and the
/// project's summary.
pub fn system_text(req: &Request) -> String {
    let mut s = String::from(
        "You are the assistant inside tdaw, a terminal digital audio workstation. You help \
         with music theory, chord progressions, melodies, bass lines, drum patterns, mixing \
         and mastering, and you chat about the user's project.\n\
         To change the project, call the tools: they are the project's own operations. Every \
         call of one reply forms ONE change that the user reviews as a diff and applies as a \
         single undo step, so put everything a suggestion needs (a new track, then its clip) \
         in the same reply, in order; later calls may name a track an earlier call adds. \
         Tracks are named by name, by 1-based position as a string, or \"master\". Beats are \
         quarter notes from the song's start (clip notes: from the clip's start). Use the \
         reading tools (get_project, get_notes, list_effect_kinds) when the summary below is \
         not enough. Answer in plain text without Markdown tables; keep it short.\n",
    );
    if req.context.trim().is_empty() {
        s.push_str("\nNo project is open.\n");
    } else {
        s.push_str("\nThe project:\n");
        s.push_str(req.context.trim_end());
        s.push('\n');
    }
    s
}

/// The conversation as (role, text) pairs: the history, oldest first, then the prompt;
/// empty turns dropped (Anthropic refuses empty text).
pub fn turns(req: &Request) -> Vec<(&'static str, &str)> {
    let mut out: Vec<(&'static str, &str)> = req
        .history
        .iter()
        .filter(|m| !m.text.trim().is_empty())
        .map(|m| {
            let role = match m.role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            (role, m.text.as_str())
        })
        .collect();
    out.push(("user", req.prompt.as_str()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str, limit: usize) -> Body {
        Body::from_reader(std::io::Cursor::new(text.as_bytes().to_vec()), limit)
    }

    #[test]
    fn events_join_data_lines_and_skip_comments() {
        let mut b = body(
            ": keep-alive\n\nevent: ping\ndata: {}\n\ndata: a\ndata: b\r\n\r\ndata: [DONE]",
            1 << 20,
        );
        let c = Cancel::default();
        assert!(b.is_event_stream().unwrap());
        let e1 = b.next_event(&c).unwrap().unwrap();
        assert_eq!((e1.name.as_deref(), e1.data.as_str()), (Some("ping"), "{}"));
        let e2 = b.next_event(&c).unwrap().unwrap();
        assert_eq!((e2.name, e2.data.as_str()), (None, "a\nb"));
        assert_eq!(b.next_event(&c).unwrap().unwrap().data, "[DONE]");
        assert_eq!(b.next_event(&c).unwrap(), None);
    }

    #[test]
    fn a_json_body_is_not_a_stream() {
        let mut b = body("  \n {\"a\": 1}", 1 << 20);
        assert!(!b.is_event_stream().unwrap());
        assert_eq!(b.read_json().unwrap()["a"], 1);
        let mut b = body("<html>oops</html>", 1 << 20);
        assert!(!b.is_event_stream().unwrap());
        assert!(matches!(b.read_json(), Err(AiError::Malformed { .. })));
        assert!(body("event: x\n", 99).is_event_stream().unwrap());
        assert!(body(": hi\n", 99).is_event_stream().unwrap());
    }

    #[test]
    fn reading_stops_over_the_limit() {
        let long = "x".repeat(5000);
        let mut b = body(&long, 1000);
        assert!(matches!(
            b.next_line(),
            Err(AiError::TooLong {
                limit_bytes: 1000,
                ..
            })
        ));
        let mut b = body(&long, 4999);
        assert!(matches!(b.read_to_string(), Err(AiError::TooLong { .. })));
        let mut b = body(&long, 5000);
        assert_eq!(b.read_to_string().unwrap().len(), 5000);
        assert_eq!(body(&long, 100).read_start(), "x".repeat(100));
    }

    #[test]
    fn cancel_stops_between_lines() {
        let mut b = body("data: 1\n\ndata: 2\n\n", 1 << 20);
        let c = Cancel::default();
        c.cancel();
        assert_eq!(b.next_event(&c), Err(AiError::Cancelled));
    }

    #[test]
    fn the_window_admits_per_minute_then_says_how_long_to_wait() {
        let t0 = Instant::now();
        let mut w = Window::default();
        for i in 0..3 {
            assert_eq!(w.admit(t0 + Duration::from_secs(i), 3), Ok(()));
        }
        // The fourth waits until the first leaves the minute.
        assert_eq!(
            w.admit(t0 + Duration::from_secs(10), 3),
            Err(Duration::from_secs(50))
        );
        assert_eq!(w.admit(t0 + Duration::from_secs(60), 3), Ok(()));
        // A higher limit in another caller is not held back by this one's.
        assert_eq!(w.admit(t0 + Duration::from_secs(60), 10), Ok(()));
    }

    #[test]
    fn a_rate_limit_wait_is_cancellable() {
        let w = Mutex::new(Window::default());
        let c = Cancel::default();
        assert_eq!(wait_in(&w, 1, &c), Ok(()));
        c.cancel();
        // The second request of the minute would wait ~60 s; cancelled, it does not.
        assert_eq!(wait_in(&w, 1, &c), Err(AiError::Cancelled));
        assert_eq!(w.lock().unwrap().sent.len(), 1);
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_millis(500));
        assert_eq!(backoff(2), Duration::from_millis(1000));
        assert_eq!(backoff(3), Duration::from_millis(2000));
        assert_eq!(backoff(10), BACKOFF_MAX);
        assert_eq!(backoff(100), BACKOFF_MAX);
    }

    #[test]
    fn retry_after_in_seconds() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after(" 0.5 "), Some(Duration::from_millis(500)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn error_messages_are_one_scrubbed_line() {
        let body = r#"{"error": {"message": "Incorrect key sk-SECRET\nprovided", "type": "x"}}"#;
        assert_eq!(
            error_message(body, Some("sk-SECRET")),
            "Incorrect key **** provided"
        );
        assert_eq!(error_message("Bad Gateway\n<html>", None), "Bad Gateway");
        assert_eq!(error_message("", None), "no reason given");
        assert_eq!(error_message(&"y".repeat(1000), None).chars().count(), 300);
    }

    #[test]
    fn urls_are_shown_without_user_info_or_query() {
        assert_eq!(
            display_url("https://me:pw@api.example.com/v1/chat?key=abc"),
            "https://api.example.com/v1/chat"
        );
        assert_eq!(
            display_url("http://127.0.0.1:8080/v1"),
            "http://127.0.0.1:8080/v1"
        );
    }
}
