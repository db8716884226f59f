//! What GPX and TCX share: turning messy bytes into UTF-8 quick-xml can read,
//! as a stream, and recognising the root element.

use std::io::{self, BufRead, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// How deep elements may nest. Real GPX and TCX files stay under a dozen
/// levels; the decoders look at an element's ancestors, so a file nested
/// hundreds of thousands deep would cost time in the square of its size.
pub(crate) const MAX_DEPTH: usize = 64;

/// The longest single piece of markup or text (one tag, one text run, one
/// comment) read: quick-xml holds a piece whole, so this bounds its buffer.
/// Real files' longest pieces are a few hundred bytes.
pub(crate) const MAX_EVENT_BYTES: u64 = 4 << 20;

/// The longest element text kept: the values read are numbers, times and
/// sport names; the rest of a longer text is dropped.
pub(crate) const MAX_TEXT_BYTES: usize = 4096;

/// The fault to stop at when an element opens `depth` levels deep, if any.
pub(crate) fn too_deep(depth: usize, position: u64) -> Option<(u64, String)> {
    (depth >= MAX_DEPTH).then(|| {
        (
            position,
            format!("elements nested more than {MAX_DEPTH} deep: not an activity file"),
        )
    })
}

/// Appends `more` to an element's text, up to [`MAX_TEXT_BYTES`].
pub(crate) fn push_text(text: &mut String, more: &str) {
    let room = MAX_TEXT_BYTES.saturating_sub(text.len());
    if more.len() <= room {
        text.push_str(more);
    } else {
        let mut cut = room;
        while !more.is_char_boundary(cut) {
            cut -= 1;
        }
        text.push_str(&more[..cut]);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    /// UTF-8 until a byte sequence is not; from there on Latin-1.
    Utf8,
    Latin1,
    Utf16 {
        big_endian: bool,
    },
}

/// The input of an XML decoder: any encoding the files come in (UTF-8 with or
/// without a byte-order mark, UTF-16 with one, Latin-1 — what files that are
/// not UTF-8 mostly are) turned into UTF-8 a chunk at a time, so a file is
/// never held whole. Also caps each piece of markup at [`MAX_EVENT_BYTES`]:
/// the decoder calls [`Input::mark`] before each event, and reading on past
/// the cap without a mark is an error.
///
/// A file that is valid UTF-8 for a while and then is not is read as UTF-8 up
/// to the first bad byte and as Latin-1 from there (the numbers read are ASCII
/// either way).
pub(crate) struct Input<R> {
    source: R,
    encoding: Encoding,
    /// Transcoded bytes not consumed yet: `out[at..]`.
    out: Vec<u8>,
    at: usize,
    /// Source bytes not transcoded yet (an incomplete character).
    pending: Vec<u8>,
    /// Bytes consumed since the last [`Input::mark`].
    since_mark: u64,
    /// Source bytes read.
    read: u64,
}

impl<R: BufRead> Input<R> {
    /// Reads the byte-order mark, if any, and the whitespace some exporters
    /// write before `<?xml`; returns the input and how many bytes that was
    /// (quick-xml counts positions from after them).
    pub(crate) fn open(mut source: R) -> io::Result<(Self, u64)> {
        let head = source.fill_buf()?;
        let (encoding, bom) = match head {
            [0xEF, 0xBB, 0xBF, ..] => (Encoding::Utf8, 3),
            [0xFF, 0xFE, ..] => (Encoding::Utf16 { big_endian: false }, 2),
            [0xFE, 0xFF, ..] => (Encoding::Utf16 { big_endian: true }, 2),
            _ => (Encoding::Utf8, 0),
        };
        source.consume(bom);
        let mut input = Input {
            source,
            encoding,
            out: Vec::new(),
            at: 0,
            pending: Vec::new(),
            since_mark: 0,
            read: bom as u64,
        };
        let mut skipped = bom as u64;
        loop {
            let buf = input.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            // Transcoded chunks end on a character boundary.
            let Ok(text) = std::str::from_utf8(buf) else {
                break;
            };
            let ws = text.len() - text.trim_start().len();
            let all = ws == text.len();
            input.consume(ws);
            skipped += ws as u64;
            if !all {
                break;
            }
        }
        input.mark();
        Ok((input, skipped))
    }

    /// Starts a new piece of markup: the cap counts from here.
    pub(crate) fn mark(&mut self) {
        self.since_mark = 0;
    }

    /// Source bytes read so far (all of them, once the reader saw the end).
    pub(crate) fn bytes_read(&self) -> u64 {
        self.read
    }

    /// Transcodes the next chunk into `out`; leaves `out` empty at the end.
    fn refill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.at = 0;
        while self.out.is_empty() {
            let chunk = self.source.fill_buf()?;
            let end = chunk.is_empty();
            let n = chunk.len();
            self.pending.extend_from_slice(chunk);
            self.source.consume(n);
            self.read += n as u64;
            self.transcode(end);
            if end {
                break;
            }
        }
        Ok(())
    }

    /// Moves what `pending` holds of whole characters into `out` (everything
    /// at the `end` of the source).
    fn transcode(&mut self, end: bool) {
        match self.encoding {
            Encoding::Utf8 => match std::str::from_utf8(&self.pending) {
                Ok(_) => std::mem::swap(&mut self.out, &mut self.pending),
                Err(e) => {
                    let valid = e.valid_up_to();
                    self.out.extend_from_slice(&self.pending[..valid]);
                    if e.error_len().is_none() && !end {
                        // A character cut by the chunk's end: wait for the rest.
                        self.pending.drain(..valid);
                    } else {
                        self.pending.drain(..valid);
                        self.encoding = Encoding::Latin1;
                        self.transcode(end);
                    }
                }
            },
            Encoding::Latin1 => {
                let mut text = String::with_capacity(self.pending.len() * 2);
                text.extend(self.pending.drain(..).map(char::from));
                self.out.extend_from_slice(text.as_bytes());
            }
            Encoding::Utf16 { big_endian } => {
                let word = |c: &[u8]| {
                    if big_endian {
                        u16::from_be_bytes([c[0], c[1]])
                    } else {
                        u16::from_le_bytes([c[0], c[1]])
                    }
                };
                let mut whole = self.pending.len() / 2 * 2;
                let last = (whole >= 2).then(|| word(&self.pending[whole - 2..whole]));
                if !end && last.is_some_and(|u| (0xD800..0xDC00).contains(&u)) {
                    whole -= 2; // a high surrogate: its pair comes with the next chunk
                }
                let units = self.pending[..whole].chunks_exact(2).map(word);
                let text: String = char::decode_utf16(units)
                    .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                    .collect();
                self.out.extend_from_slice(text.as_bytes());
                if end {
                    self.pending.clear(); // an odd last byte is no character
                } else {
                    self.pending.drain(..whole);
                }
            }
        }
    }
}

impl<R: BufRead> Read for Input<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Input<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.since_mark > MAX_EVENT_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "a tag or text longer than {} MiB: not an activity file",
                    MAX_EVENT_BYTES >> 20
                ),
            ));
        }
        if self.at == self.out.len() {
            self.refill()?;
        }
        Ok(&self.out[self.at..])
    }

    fn consume(&mut self, amt: usize) {
        self.at += amt;
        self.since_mark += amt as u64;
    }
}

/// What a decoder does with the elements [`walk`] reads.
pub(crate) trait Handler {
    /// The elements the decoder tells apart.
    type Tag: Copy;
    /// The tag of any other element.
    const OTHER: Self::Tag;
    fn tag(e: &BytesStart<'_>) -> Self::Tag;
    /// An element starts (also an empty one, before [`Handler::close_empty`]).
    fn open(&mut self, t: Self::Tag, e: &BytesStart<'_>);
    /// An element ends: `t` is its tag, `name` its local name, `stack` its
    /// ancestors, `text` its trimmed text.
    fn close(&mut self, t: Self::Tag, name: &str, stack: &[Self::Tag], text: &str);
    /// An empty element (`<x/>`) ends.
    fn close_empty(&mut self, t: Self::Tag, name: &str, stack: &[Self::Tag]) {
        self.close(t, name, stack, "");
    }
    /// Why to stop reading here, checked after each element starts (the
    /// decoder's own caps).
    fn fault(&mut self) -> Option<String> {
        None
    }
}

/// Reads `source` as a stream to its end or to its first fault, handing the
/// elements to `h`; returns the fault: (byte offset, what happened). Memory
/// stays bounded whatever the input: one piece of markup (at most
/// [`MAX_EVENT_BYTES`]), one element's text (at most [`MAX_TEXT_BYTES`]) and
/// [`MAX_DEPTH`] ancestors, plus whatever `h` keeps.
pub(crate) fn walk<R: BufRead, H: Handler>(source: R, h: &mut H) -> Option<(u64, String)> {
    let (input, skipped) = match Input::open(source) {
        Ok(opened) => opened,
        Err(e) => return Some((0, e.to_string())),
    };
    let mut reader = reader(input);
    let mut buf = Vec::new();
    let mut stack: Vec<H::Tag> = Vec::with_capacity(16);
    let mut text = String::new();
    loop {
        buf.clear();
        reader.get_mut().mark();
        let event = match reader.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(e) => return Some((reader.error_position() + skipped, describe(&e))),
        };
        if let Some(why) = h.fault() {
            return Some((reader.buffer_position() + skipped, why));
        }
        match event {
            Event::Start(e) => {
                if let Some(deep) = too_deep(stack.len(), reader.buffer_position() + skipped) {
                    return Some(deep);
                }
                let t = H::tag(&e);
                h.open(t, &e);
                stack.push(t);
                text.clear();
            }
            Event::Empty(e) => {
                let t = H::tag(&e);
                h.open(t, &e);
                h.close_empty(t, e.local_name().as_ref(), &stack);
            }
            Event::Text(t) => push_text(&mut text, &t.xml10_content()),
            Event::CData(t) => push_text(&mut text, &t.xml10_content()),
            Event::GeneralRef(r) => {
                if let Some(c) = entity(&r.xml10_content()) {
                    push_text(&mut text, c.encode_utf8(&mut [0; 4]));
                }
            }
            Event::End(e) => {
                let t = stack.pop().unwrap_or(H::OTHER);
                h.close(t, e.local_name().as_ref(), &stack, text.trim());
                text.clear();
            }
            Event::Eof => {
                return (!stack.is_empty()).then(|| {
                    (
                        reader.get_ref().bytes_read(),
                        "the file ends inside an open element (truncated)".to_string(),
                    )
                });
            }
            _ => {}
        }
    }
}

/// A reader configured for messy activity files: prefixes are not resolved (so
/// undeclared namespace prefixes are fine), text is trimmed, mismatched end tags
/// are tolerated.
pub(crate) fn reader<R: BufRead>(input: Input<R>) -> Reader<Input<R>> {
    let mut r = Reader::from_reader(input);
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
    let (mut input, _) = Input::open(head).ok()?;
    if input.fill_buf().ok()?.first() != Some(&b'<') {
        return None;
    }
    let mut r = reader(input);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match r.read_event_into(&mut buf) {
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
