//! A real SMTP server for tests: speaks enough of RFC 5321 for lettre, keeps what it receives,
//! and can be switched "down" (answers 421 and closes) to test retries.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Clone, Debug)]
pub struct Received {
    pub to: Vec<String>,
    pub data: String,
}

impl Received {
    /// The message as a person reads it: base64 parts decoded, quoted-printable undone (soft
    /// line breaks and `=XX` bytes), so English and Chinese mail read alike.
    pub fn text(&self) -> String {
        use base64::Engine;
        let mut out = String::new();
        let (mut in_headers, mut base64_part) = (true, false);
        let mut encoded = String::new();
        let mut bytes = Vec::new();
        let flush = |encoded: &mut String, out: &mut String| {
            if !encoded.is_empty() {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(encoded.as_bytes())
                    .unwrap_or_default();
                out.push_str(&String::from_utf8_lossy(&decoded));
                out.push('\n');
                encoded.clear();
            }
        };
        for line in self.data.split("\r\n") {
            if line.starts_with("--") {
                flush(&mut encoded, &mut out);
                (in_headers, base64_part) = (true, false);
            } else if in_headers {
                if line.is_empty() {
                    in_headers = false;
                } else if line
                    .to_ascii_lowercase()
                    .starts_with("content-transfer-encoding: base64")
                {
                    base64_part = true;
                }
            } else if base64_part {
                encoded.push_str(line.trim());
                continue;
            }
            // Quoted-printable (harmless on 7-bit text): `=` at the end joins the next line.
            let (body, soft) = match line.strip_suffix('=') {
                Some(body) if !in_headers => (body, true),
                _ => (line, false),
            };
            let mut rest = body.as_bytes();
            while let Some((&c, tail)) = rest.split_first() {
                match (c, tail.get(..2).and_then(|h| std::str::from_utf8(h).ok())) {
                    (b'=', Some(hex)) if !in_headers && u8::from_str_radix(hex, 16).is_ok() => {
                        bytes.push(u8::from_str_radix(hex, 16).unwrap());
                        rest = &tail[2..];
                    }
                    _ => {
                        bytes.push(c);
                        rest = tail;
                    }
                }
            }
            if !soft {
                out.push_str(&String::from_utf8_lossy(&bytes));
                out.push('\n');
                bytes.clear();
            }
        }
        flush(&mut encoded, &mut out);
        out.push_str(&String::from_utf8_lossy(&bytes));
        out
    }

    /// The subject, its RFC 2047 encoded words (`=?utf-8?b?…?=`) decoded.
    pub fn subject(&self) -> String {
        use base64::Engine;
        let mut lines = self
            .data
            .split("\r\n")
            .skip_while(|l| !l.starts_with("Subject: "));
        let mut raw = lines
            .next()
            .and_then(|l| l.strip_prefix("Subject: "))
            .unwrap_or_default()
            .to_string();
        for more in lines.take_while(|l| l.starts_with(' ') || l.starts_with('\t')) {
            raw.push_str(more);
        }
        let mut out = String::new();
        for word in raw.split_whitespace() {
            let lower = word.to_ascii_lowercase();
            match lower
                .strip_prefix("=?utf-8?b?")
                .and_then(|w| w.strip_suffix("?="))
            {
                Some(_) => {
                    let b64 = &word[10..word.len() - 2];
                    let decoded = base64::engine::general_purpose::STANDARD
                        .decode(b64)
                        .unwrap_or_default();
                    out.push_str(&String::from_utf8_lossy(&decoded));
                }
                None => {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    out.push_str(word);
                }
            }
        }
        out
    }

    /// The six-digit code in a code mail, in either language.
    pub fn code(&self) -> Option<String> {
        // Six digits standing alone (a boundary, a colour or a date never qualifies).
        let re = regex_lite::Regex::new(r"(?m)(?:^|[\s:：>])([0-9]{6})(?:[\s。.<]|$)").unwrap();
        let text = self.text();
        let body = text.split_once("\n\n").map_or(text.as_str(), |(_, b)| b);
        re.captures(body).map(|c| c[1].to_string())
    }
}

#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    down: Arc<AtomicBool>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let sink = Self {
            port,
            received: Arc::default(),
            down: Arc::default(),
        };
        let s = sink.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let _ = s.session(stream).await;
                });
            }
        });
        sink
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    async fn session(&self, stream: tokio::net::TcpStream) -> std::io::Result<()> {
        let (r, mut w) = stream.into_split();
        let mut r = BufReader::new(r);
        if self.down.load(Ordering::SeqCst) {
            w.write_all(b"421 test sink is down\r\n").await?;
            return Ok(());
        }
        w.write_all(b"220 test-sink ESMTP\r\n").await?;
        let mut to = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            if r.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            // Going down also ends connections a client keeps open in its pool.
            if self.down.load(Ordering::SeqCst) {
                w.write_all(b"421 test sink is down\r\n").await?;
                return Ok(());
            }
            let cmd = line.trim_end().to_ascii_uppercase();
            if cmd.starts_with("EHLO") {
                w.write_all(b"250-test-sink\r\n250 8BITMIME\r\n").await?;
            } else if cmd.starts_with("HELO")
                || cmd.starts_with("MAIL FROM")
                || cmd.starts_with("RSET")
                || cmd.starts_with("NOOP")
            {
                w.write_all(b"250 OK\r\n").await?;
            } else if cmd.starts_with("RCPT TO") {
                let addr = line.trim_end()[8..]
                    .trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string();
                to.push(addr.to_lowercase());
                w.write_all(b"250 OK\r\n").await?;
            } else if cmd == "DATA" {
                w.write_all(b"354 go ahead\r\n").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if r.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    data.push_str(&line);
                }
                self.received.lock().unwrap().push(Received {
                    to: std::mem::take(&mut to),
                    data,
                });
                w.write_all(b"250 queued\r\n").await?;
            } else if cmd == "QUIT" {
                w.write_all(b"221 bye\r\n").await?;
                return Ok(());
            } else {
                w.write_all(b"502 not implemented\r\n").await?;
            }
        }
    }

    pub fn all(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    pub fn to(&self, addr: &str) -> Vec<Received> {
        let addr = addr.to_lowercase();
        self.all()
            .into_iter()
            .filter(|m| m.to.contains(&addr))
            .collect()
    }

    /// Waits until `addr` has received `n` messages (or fails after 10 s).
    pub async fn wait_for(&self, addr: &str, n: usize) -> Vec<Received> {
        for _ in 0..200 {
            let got = self.to(addr);
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{addr} did not receive {n} message(s); got {:?}",
            self.to(addr)
                .iter()
                .map(|m| m.subject())
                .collect::<Vec<_>>()
        );
    }

    /// The newest verification code mailed to `addr`, waiting for message number `n`.
    pub async fn code_for(&self, addr: &str, n: usize) -> String {
        let mails = self.wait_for(addr, n).await;
        mails[n - 1].code().expect("the mail has a code")
    }
}
