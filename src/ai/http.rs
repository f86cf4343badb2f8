//! What the network providers share: the ureq agent with its timeout, retries with backoff on
//! 429 and 5xx (honouring Retry-After), the client-side rate limit, SSE lines, the reply size
//! limit (ai-net fills this in).
