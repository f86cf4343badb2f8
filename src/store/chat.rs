//! The assistant's conversation per project, kept in the index (the `chat` table, keyed by the
//! project folder's canonical path). Like the rest of the index it is a cache: a rebuilt index
//! starts every conversation afresh, and nothing here can fail a save.
//!
//! Only what was said is stored — the user's prompts and the assistant's replies — never a
//! setting and never a key; [`scrub`] masks a configured key a user pasted into a prompt before
//! it is stored or shown.

use super::index::{canonical, now_ms, path_to_sql, sql, Index, IndexError};
use rusqlite::params;
use std::path::Path;

/// How many turns of a project's conversation are loaded (the oldest give way).
pub const KEEP: usize = 200;

/// Longest text stored for one turn, in bytes (a longer one is cut at a character boundary).
pub const MAX_TEXT: usize = 64 * 1024;

/// One stored turn: who said it (`user` or `assistant`) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub role: String,
    pub text: String,
}

impl Index {
    /// Appends one turn to the conversation of the project in `dir`.
    pub fn chat_append(&mut self, dir: &Path, role: &str, text: &str) -> Result<(), IndexError> {
        if role != "user" && role != "assistant" {
            return Err(IndexError::Invalid(format!(
                "chat role '{role}' is neither user nor assistant"
            )));
        }
        let mut end = text.len().min(MAX_TEXT);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let db = self.db_path();
        self.conn
            .execute(
                "INSERT INTO chat (path, role, text, at_ms) VALUES (?1, ?2, ?3, ?4)",
                params![path_to_sql(&canonical(dir)), role, &text[..end], now_ms()],
            )
            .map_err(sql(&db))?;
        Ok(())
    }

    /// The latest [`KEEP`] turns of the project in `dir`, oldest first.
    pub fn chat_history(&self, dir: &Path) -> Result<Vec<Turn>, IndexError> {
        let db = self.db_path();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT role, text FROM (
                     SELECT id, role, text FROM chat WHERE path = ?1 ORDER BY id DESC LIMIT ?2
                 ) ORDER BY id",
            )
            .map_err(sql(&db))?;
        let rows = stmt
            .query_map(params![path_to_sql(&canonical(dir)), KEEP as i64], |r| {
                Ok(Turn {
                    role: r.get(0)?,
                    text: r.get(1)?,
                })
            })
            .map_err(sql(&db))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(sql(&db))
    }

    /// Forgets the conversation of the project in `dir`; returns how many turns went.
    pub fn chat_clear(&mut self, dir: &Path) -> Result<usize, IndexError> {
        let db = self.db_path();
        self.conn
            .execute(
                "DELETE FROM chat WHERE path = ?1",
                [path_to_sql(&canonical(dir))],
            )
            .map_err(sql(&db))
    }
}

/// `text` with every occurrence of a secret (a configured API key, at least 8 characters:
/// shorter ones would mask ordinary words) replaced by `****`.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        if s.len() >= 8 && out.contains(s) {
            out = out.replace(s, "****");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_are_kept_per_project_in_order() {
        let home = tempfile::tempdir().unwrap();
        let (a, b) = (home.path().join("a"), home.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        let mut index = Index::open_in(home.path()).unwrap();
        index.chat_append(&a, "user", "chords in A minor").unwrap();
        index.chat_append(&b, "user", "other project").unwrap();
        index.chat_append(&a, "assistant", "Am F C G").unwrap();
        assert!(index.chat_append(&a, "system", "x").is_err());
        drop(index);
        let index = Index::open_in(home.path()).unwrap();
        let turns = index.chat_history(&a).unwrap();
        assert_eq!(
            turns,
            vec![
                Turn {
                    role: "user".into(),
                    text: "chords in A minor".into()
                },
                Turn {
                    role: "assistant".into(),
                    text: "Am F C G".into()
                },
            ]
        );
        assert_eq!(index.chat_history(&b).unwrap().len(), 1);
    }

    #[test]
    fn only_the_latest_turns_load_and_long_texts_are_cut() {
        let home = tempfile::tempdir().unwrap();
        let mut index = Index::open_in(home.path()).unwrap();
        for i in 0..KEEP + 5 {
            index
                .chat_append(home.path(), "user", &i.to_string())
                .unwrap();
        }
        let turns = index.chat_history(home.path()).unwrap();
        assert_eq!(turns.len(), KEEP);
        assert_eq!(turns[0].text, "5");
        assert_eq!(turns[KEEP - 1].text, (KEEP + 4).to_string());
        assert_eq!(index.chat_clear(home.path()).unwrap(), KEEP + 5);
        let long = "é".repeat(MAX_TEXT);
        index.chat_append(home.path(), "assistant", &long).unwrap();
        let t = &index.chat_history(home.path()).unwrap()[0].text;
        assert!(
            t.len() <= MAX_TEXT && t.len() >= MAX_TEXT - 1,
            "{}",
            t.len()
        );
    }

    #[test]
    fn scrub_masks_keys_but_not_short_words() {
        let key = "sk-test-0123456789";
        assert_eq!(
            scrub(&format!("my key is {key}!"), &[key, "ab"]),
            "my key is ****!"
        );
        assert_eq!(scrub("ab cd", &["ab"]), "ab cd");
    }
}
