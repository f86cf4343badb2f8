//! Keeps alsa-lib's stderr chatter ("cannot find card '0'", ...) off the screen while devices
//! are probed: fd 2 points at /dev/null for the guard's lifetime. `TDAW_AUDIO_DEBUG=1` keeps
//! the messages.

/// While alive, stderr goes to /dev/null.
pub struct QuietStderr {
    saved: i32,
}

impl QuietStderr {
    /// Redirects stderr (does nothing when `TDAW_AUDIO_DEBUG` is set or the redirect fails).
    pub fn new() -> QuietStderr {
        if std::env::var_os("TDAW_AUDIO_DEBUG").is_some() {
            return QuietStderr { saved: -1 };
        }
        // SAFETY: plain fd calls; on any failure stderr is left as it was.
        unsafe {
            let saved = libc::dup(2);
            if saved < 0 {
                return QuietStderr { saved: -1 };
            }
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
            if null < 0 {
                libc::close(saved);
                return QuietStderr { saved: -1 };
            }
            libc::dup2(null, 2);
            libc::close(null);
            QuietStderr { saved }
        }
    }
}

impl Default for QuietStderr {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for QuietStderr {
    fn drop(&mut self) {
        if self.saved >= 0 {
            // SAFETY: restores the descriptor saved in new().
            unsafe {
                libc::dup2(self.saved, 2);
                libc::close(self.saved);
            }
        }
    }
}
