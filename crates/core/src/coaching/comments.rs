//! What a comment may say: plain text, 1–2000 characters once trimmed,
//! no control characters but line breaks and tabs. Pages render it
//! escaped; nothing in it is markup.

/// Longest comment, in characters (the database holds the same limit).
pub const COMMENT_MAX_CHARS: usize = 2000;

/// The body to store, or why not.
pub fn comment_body(text: &str) -> Result<String, String> {
    let body = text.trim().replace("\r\n", "\n");
    if body.is_empty() {
        return Err("write something: the comment is empty".into());
    }
    let n = body.chars().count();
    if n > COMMENT_MAX_CHARS {
        return Err(format!(
            "{n} characters: a comment holds at most {COMMENT_MAX_CHARS}"
        ));
    }
    if body
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err("plain text only: control characters are not allowed".into());
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bodies_are_trimmed_plain_text_within_the_limit() {
        assert_eq!(
            comment_body("  Easy on the knee.\r\nSee you Sat \n").unwrap(),
            "Easy on the knee.\nSee you Sat"
        );
        assert!(comment_body("   ").is_err());
        assert!(comment_body(&"é".repeat(2000)).is_ok());
        assert!(
            comment_body(&"é".repeat(2001))
                .unwrap_err()
                .contains("2001 characters")
        );
        assert!(comment_body("bell\u{7}").is_err());
        assert_eq!(
            comment_body("<b>bold</b>").unwrap(),
            "<b>bold</b>",
            "kept as text, escaped when shown"
        );
    }

    proptest! {
        #[test]
        fn an_accepted_body_is_accepted_again_unchanged(s in "\\PC{0,2100}") {
            if let Ok(b) = comment_body(&s) {
                prop_assert!(!b.is_empty() && b.chars().count() <= COMMENT_MAX_CHARS);
                prop_assert_eq!(comment_body(&b), Ok(b.clone()));
            }
        }
    }
}
