//! What GPX and TCX share: turning messy bytes into text quick-xml can read, and
//! recognising the root element.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::Event;

/// The text of an XML file: UTF-8 (byte-order mark dropped), UTF-16 with a BOM, or —
/// when the bytes are not UTF-8 — Latin-1, which is what such files mostly are.
/// Leading whitespace (some exporters write it before `<?xml`) is skipped too.
/// Returns the text and how many bytes of the input were skipped before it.
pub(crate) fn text(bytes: &[u8]) -> (Cow<'_, str>, usize) {
    let text: Cow<'_, str> = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        utf8_or_latin1(rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        Cow::Owned(utf16(rest, u16::from_le_bytes))
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        Cow::Owned(utf16(rest, u16::from_be_bytes))
    } else {
        utf8_or_latin1(bytes)
    };
    let skipped_bom = match bytes {
        [0xEF, 0xBB, 0xBF, ..] => 3,
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => 2,
        _ => 0,
    };
    let ws = text.len() - text.trim_start().len();
    let text = match text {
        Cow::Borrowed(s) => Cow::Borrowed(&s[ws..]),
        Cow::Owned(s) => Cow::Owned(s[ws..].to_string()),
    };
    (text, skipped_bom + ws)
}

fn utf8_or_latin1(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

fn utf16(bytes: &[u8], word: fn([u8; 2]) -> u16) -> String {
    let units: Vec<u16> = bytes.chunks_exact(2).map(|c| word([c[0], c[1]])).collect();
    String::from_utf16_lossy(&units)
}

/// How deep elements may nest. Real GPX and TCX files stay under a dozen
/// levels; the decoders look at an element's ancestors, so a file nested
/// hundreds of thousands deep would cost time in the square of its size.
pub(crate) const MAX_DEPTH: usize = 64;

/// The fault to stop at when an element opens `depth` levels deep, if any.
pub(crate) fn too_deep(depth: usize, position: u64) -> Option<(u64, String)> {
    (depth >= MAX_DEPTH).then(|| {
        (
            position,
            format!("elements nested more than {MAX_DEPTH} deep: not an activity file"),
        )
    })
}

/// A reader configured for messy activity files: prefixes are not resolved (so
/// undeclared namespace prefixes are fine), text is trimmed, mismatched end tags
/// are tolerated.
pub(crate) fn reader(text: &str) -> Reader<&[u8]> {
    let mut r = Reader::from_str(text);
    let config = r.config_mut();
    config.trim_text(true);
    config.check_end_names = false;
    config.expand_empty_elements = false;
    r
}

/// The local name of the root element, if the bytes look like XML at all.
pub(crate) fn root_name(bytes: &[u8]) -> Option<String> {
    // Only the start of the file is needed; a cut in the middle of a tag is fine
    // as long as the root start tag is whole.
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let (text, _) = self::text(head);
    if !text.starts_with('<') {
        return None;
    }
    let mut r = reader(&text);
    loop {
        match r.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                return Some(e.local_name().as_ref().to_string());
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// Text content with the five predefined entities resolved (quick-xml reports
/// entity references as separate events).
pub(crate) fn entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let n = name.strip_prefix('#')?;
            let code = match n.strip_prefix('x').or_else(|| n.strip_prefix('X')) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => n.parse().ok()?,
            };
            char::from_u32(code)?
        }
    })
}

/// Words for a reader error; input that stops inside a tag, comment or attribute
/// is what a cut-off download or copy looks like.
pub(crate) fn describe(e: &quick_xml::Error) -> String {
    use quick_xml::errors::SyntaxError;
    match e {
        quick_xml::Error::Syntax(s) if *s != SyntaxError::InvalidBangMarkup => {
            format!("the file ends inside a tag (truncated): {s}")
        }
        other => other.to_string(),
    }
}
