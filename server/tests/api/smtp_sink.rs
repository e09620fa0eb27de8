//! A small SMTP server on loopback for the email tests: it speaks just enough SMTP for a real
//! client (greeting, EHLO/HELO, MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT) and records each
//! message with its envelope. The portal's mail worker talks to it as to any SMTP server.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A running sink; it stops when dropped.
pub struct SmtpSink {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    /// Whether it answers yet (see `start_down`).
    up: Arc<AtomicBool>,
    task: JoinHandle<()>,
}

/// One message as the sink received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope sender (MAIL FROM).
    pub from: String,
    /// The envelope recipients (RCPT TO).
    pub to: Vec<String>,
    /// The message as sent after DATA: headers, a blank line, the body.
    pub data: String,
}

impl SmtpSink {
    /// A sink on a free port.
    pub async fn start() -> Self {
        let sink = Self::start_down().await;
        sink.come_up();
        sink
    }

    /// A sink that is down: it holds its port (so no other test can take it), but closes every
    /// connection before the greeting, as a server that is not there yet. `come_up` starts it.
    pub async fn start_down() -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("a free port");
        let port = listener.local_addr().expect("a local address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let up = Arc::new(AtomicBool::new(false));
        let (store, serving) = (received.clone(), up.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                if !serving.load(Ordering::SeqCst) {
                    drop(stream);
                    continue;
                }
                let store = store.clone();
                tokio::spawn(async move {
                    let _ = converse(stream, store).await;
                });
            }
        });
        Self {
            port,
            received,
            up,
            task,
        }
    }

    /// Start answering on the port it holds.
    pub fn come_up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }

    /// Every message received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("the sink's record").clone()
    }

    /// The messages sent to `address`.
    pub fn received_by(&self, address: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|m| m.to.iter().any(|to| to == address))
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Received {
    /// The value of the first header called `name`, unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let (head, _) = self.data.split_once("\r\n\r\n")?;
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    /// The Subject header.
    pub fn subject(&self) -> String {
        self.header("Subject").unwrap_or_default()
    }

    /// The body as text, decoded from quoted-printable when it was sent so.
    pub fn body(&self) -> String {
        let body = self
            .data
            .split_once("\r\n\r\n")
            .map(|(_, body)| body)
            .unwrap_or_default();
        let quoted = self
            .header("Content-Transfer-Encoding")
            .is_some_and(|e| e.eq_ignore_ascii_case("quoted-printable"));
        if quoted {
            decode_quoted_printable(body)
        } else {
            body.replace("\r\n", "\n")
        }
    }
}

async fn converse(stream: TcpStream, store: Arc<Mutex<Vec<Received>>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let verb = command.to_ascii_uppercase();
        let reply: &[u8] = if verb.starts_with("EHLO") {
            b"250-sink.test\r\n250 8BITMIME\r\n"
        } else if verb.starts_with("HELO") {
            b"250 sink.test\r\n"
        } else if verb.starts_with("MAIL FROM:") {
            from = address(&command["MAIL FROM:".len()..]);
            to.clear();
            b"250 OK\r\n"
        } else if verb.starts_with("RCPT TO:") {
            to.push(address(&command["RCPT TO:".len()..]));
            b"250 OK\r\n"
        } else if verb == "DATA" {
            write
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            let data = read_data(&mut lines).await?;
            // Recorded before the reply, so a client that has its 250 finds it here.
            store.lock().expect("the sink's record").push(Received {
                from: from.clone(),
                to: std::mem::take(&mut to),
                data,
            });
            b"250 OK queued\r\n"
        } else if verb == "RSET" {
            (from, to) = (String::new(), Vec::new());
            b"250 OK\r\n"
        } else if verb == "NOOP" {
            b"250 OK\r\n"
        } else if verb == "QUIT" {
            write.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else {
            b"502 Command not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
}

/// The lines after DATA up to the lone ".", with dot-stuffing undone.
async fn read_data(
    lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<String> {
    let mut data = String::new();
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(data);
        }
        if line == ".\r\n" || line == ".\n" {
            return Ok(data);
        }
        let line = line.strip_prefix('.').unwrap_or(&line);
        data.push_str(line);
    }
}

/// `<adele@contoso.com> SIZE=123` → `adele@contoso.com`.
fn address(argument: &str) -> String {
    let argument = argument.trim();
    match (argument.find('<'), argument.find('>')) {
        (Some(open), Some(close)) if open < close => argument[open + 1..close].to_owned(),
        _ => argument
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned(),
    }
}

fn decode_quoted_printable(text: &str) -> String {
    let text = text.replace("=\r\n", "").replace("\r\n", "\n");
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
