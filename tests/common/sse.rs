//! Reads the portal's server-sent event stream (`/api/events`) as a browser's EventSource does.

use super::TestApp;
use std::time::Duration;

pub struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

/// One event: its id (the feed number) and its JSON data.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: i64,
    pub data: serde_json::Value,
}

impl Received {
    pub fn kind(&self) -> &str {
        self.data["kind"].as_str().unwrap_or_default()
    }

    pub fn application(&self) -> &str {
        self.data["application_id"].as_str().unwrap_or_default()
    }
}

/// A GET of the event stream, as EventSource sends it (with `Last-Event-ID` on a reconnect).
async fn request(
    client: &reqwest::Client,
    url: &str,
    last_event_id: Option<i64>,
) -> reqwest::Response {
    let mut request = client.get(url).header("accept", "text/event-stream");
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id.to_string());
    }
    request.send().await.unwrap()
}

impl TestApp {
    /// Opens the event stream with this client's cookies; `last_event_id` as on a reconnect.
    pub async fn open_events(&self, last_event_id: Option<i64>) -> reqwest::Response {
        request(&self.client, &self.url("/api/events"), last_event_id).await
    }

    pub async fn events(&self, last_event_id: Option<i64>) -> EventStream {
        EventStream::open(&self.client, &self.url("/api/events"), last_event_id).await
    }
}

impl EventStream {
    /// Opens the stream at `url` with `client`'s cookies.
    pub async fn open(
        client: &reqwest::Client,
        url: &str,
        last_event_id: Option<i64>,
    ) -> EventStream {
        let response = request(client, url, last_event_id).await;
        assert_eq!(response.status(), 200, "the event stream opens");
        EventStream {
            response,
            buffer: String::new(),
        }
    }

    /// The next event, or `None` if none arrives within `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Option<Received> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut id = None;
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().parse().ok();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if let Some(id) = id {
                    return Some(Received {
                        id,
                        data: serde_json::from_str(&data).unwrap(),
                    });
                }
                continue; // a keep-alive comment
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk()).await;
            match chunk {
                Ok(Ok(Some(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }

    /// Whether the server ends the stream within `wait` (events meanwhile are skipped).
    pub async fn ended_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.response.chunk()).await {
                Ok(Ok(Some(_))) => continue,
                Ok(_) => return true,
                Err(_) => return false,
            }
        }
    }

    pub async fn next(&mut self) -> Received {
        self.next_within(Duration::from_secs(5))
            .await
            .expect("an event within 5 s")
    }
}

/// One event as read by `next_named_within`: its name (`event:`; `None` for an ordinary
/// event), its id and its data as sent.
#[derive(Debug, Clone)]
pub struct Named {
    pub name: Option<String>,
    pub id: Option<i64>,
    pub data: String,
}

impl Named {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.data).unwrap()
    }
}

impl EventStream {
    /// The next event, named (like `resync`) or not, or `None` if none arrives within `wait`.
    pub async fn next_named_within(&mut self, wait: Duration) -> Option<Named> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = Named {
                    name: None,
                    id: None,
                    data: String::new(),
                };
                let mut fields = 0;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event.name = Some(v.trim().to_string());
                    } else if let Some(v) = line.strip_prefix("id:") {
                        event.id = v.trim().parse().ok();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        event.data.push_str(v.trim_start());
                    } else {
                        continue;
                    }
                    fields += 1;
                }
                if fields > 0 {
                    return Some(event);
                }
                continue; // a keep-alive comment
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk()).await;
            match chunk {
                Ok(Ok(Some(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }
}
