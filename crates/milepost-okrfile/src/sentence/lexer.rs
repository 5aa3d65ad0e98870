//! The tokenizer: splits a key result sentence into words, numerals and symbols.
//!
//! It knows the shapes numbers take in writing ("100,000", "4.2", "1/5", "-3", "€0,40")
//! and splits a numeral from the letters glued to it when those letters are a scale, a
//! unit or a multiplier ("25k", "8h", "300ms", "5X"). Anything else that mixes digits and
//! letters ("p99", "Q3", "2FA", "30-day", "24/7") stays one word, because it names a thing
//! rather than counting it. Every token keeps its byte span so the metric can be cut out
//! of the original text exactly as written.

/// One token of a sentence, with the byte range it came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    /// What the token is.
    pub kind: TokenKind,
    /// Byte offset of the first byte in the sentence.
    pub start: usize,
    /// Byte offset just past the last byte.
    pub end: usize,
    /// Whether the token follows the previous one with no space between them.
    pub glued: bool,
}

/// The three kinds of token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenKind {
    /// A word, kept as written and in lower case.
    Word { text: String, lower: String },
    /// A numeral written with digits.
    Number(Numeral),
    /// Any other single character (after folding `->`, `>=` and `<=` into one symbol).
    Symbol(char),
}

/// A numeral written with digits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Numeral {
    /// Its value; always finite.
    pub value: f64,
    /// Written with a decimal point or comma.
    pub decimal: bool,
    /// Written with thousands separators.
    pub grouped: bool,
    /// Written as a fraction, "1/5".
    pub fraction: bool,
}

impl Token {
    /// The lower-case text of a word token.
    pub fn word(&self) -> Option<&str> {
        match &self.kind {
            TokenKind::Word { lower, .. } => Some(lower),
            _ => None,
        }
    }

    /// The text of a word token as written.
    pub fn word_as_written(&self) -> Option<&str> {
        match &self.kind {
            TokenKind::Word { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The symbol of a symbol token.
    pub fn symbol(&self) -> Option<char> {
        match self.kind {
            TokenKind::Symbol(c) => Some(c),
            _ => None,
        }
    }

    /// The numeral of a number token.
    pub fn numeral(&self) -> Option<Numeral> {
        match self.kind {
            TokenKind::Number(n) => Some(n),
            _ => None,
        }
    }
}

/// Letters that may be glued to a numeral and still leave it a number: scales, units
/// and multipliers. Matched case-sensitively where case matters ("M" is a million,
/// "m" is a million only after a currency, otherwise minutes).
/// Abbreviations written with a dot ("avg.", "approx."), read as the word without it.
const ABBREVIATIONS: &[&str] = &[
    "avg", "approx", "est", "incl", "excl", "vs", "etc", "e.g", "i.e", "eg", "ie", "mgmt", "dept", "qtr", "yr", "yrs",
    "mo", "mos", "wk", "wks", "hr", "hrs", "min", "mins", "sec", "secs", "max", "cf", "ca", "pct", "num", "resp",
    "u.s", "u.k", "e.u",
];

const GLUED_SUFFIXES: &[&str] = &[
    "k",
    "K",
    "M",
    "m",
    "mm",
    "MM",
    "mn",
    "bn",
    "Bn",
    "BN",
    "b",
    "B",
    // Sizes and rates of data, which keep their number but have no unit of ours.
    "KB",
    "kB",
    "kb",
    "MB",
    "Mb",
    "mb",
    "GB",
    "Gb",
    "gb",
    "TB",
    "Tb",
    "tb",
    "PB",
    "Kbps",
    "kbps",
    "Mbps",
    "mbps",
    "Gbps",
    "gbps",
    "x",
    "X",
    "h",
    "hr",
    "hrs",
    "H",
    "ms",
    "s",
    "sec",
    "secs",
    "min",
    "mins",
    "d",
    "wk",
    "wks",
    "w",
    "pp",
    "pt",
    "pts",
    "ppt",
    "ppts",
    "pct",
    "percent",
    "USD",
    "EUR",
    "GBP",
    "usd",
    "eur",
    "gbp",
    "thousand",
    "million",
    "billion",
    "minutes",
    "minute",
    "seconds",
    "second",
    "hours",
    "hour",
    "days",
    "day",
    "weeks",
    "week",
    "milliseconds",
    "millisecond",
    "bps",
    "bp",
];

/// Splits `text` into tokens. Never fails: a character it does not understand becomes
/// a symbol, and mentions ("@dana") are dropped, since they name an owner.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let byte_at = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let char_at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let mut tokens = Vec::new();
    let mut i = 0;
    let mut glued = false;
    while let Some(c) = char_at(i) {
        if c.is_whitespace() {
            glued = false;
            i += 1;
            continue;
        }
        let start = i;
        let prev_is_space = start == 0 || char_at(start - 1).is_some_and(|p| p.is_whitespace() || p == '(');
        let next_is_digit = char_at(i + 1).is_some_and(|n| n.is_ascii_digit());
        if c.is_ascii_digit()
            || (c == '.' && next_is_digit && prev_is_space)
            || ((c == '-' || c == '−') && next_is_digit && prev_is_space)
        {
            i = lex_number(&chars, i, text, &mut tokens, glued);
        } else if c == '@' && char_at(i + 1).is_some_and(char::is_alphanumeric) {
            // An owner mention: skip it whole.
            i += 1;
            while char_at(i).is_some_and(|n| n.is_alphanumeric() || matches!(n, '-' | '_' | '.' | '/')) {
                i += 1;
            }
        } else if c == '#' && next_is_digit {
            // "#1" is a rank, a name, not a count.
            i += 1;
            while char_at(i).is_some_and(|n| n.is_alphanumeric()) {
                i += 1;
            }
            push_word(&mut tokens, text, byte_at(start), byte_at(i), glued);
        } else if c.is_alphabetic() {
            i = scan_word(&chars, i);
            // "avg.", "approx.", "e.g.": an abbreviation keeps its dot, which ends no
            // sentence and splits no metric.
            let word = text.get(byte_at(start)..byte_at(i)).unwrap_or_default().to_lowercase();
            if char_at(i) == Some('.')
                && char_at(i + 1).is_none_or(char::is_whitespace)
                && ABBREVIATIONS.contains(&word.as_str())
            {
                i += 1;
                push_word(&mut tokens, text, byte_at(start), byte_at(i), glued);
                if let Some(TokenKind::Word { lower, .. }) = tokens.last_mut().map(|t| &mut t.kind) {
                    *lower = word;
                }
            } else {
                push_word(&mut tokens, text, byte_at(start), byte_at(i), glued);
            }
        } else {
            let (symbol, width) = match (c, char_at(i + 1)) {
                ('-' | '=', Some('>')) => ('→', 2),
                ('>', Some('=')) => ('≥', 2),
                ('<', Some('=')) => ('≤', 2),
                _ => (c, 1),
            };
            i += width;
            tokens.push(Token { kind: TokenKind::Symbol(symbol), start: byte_at(start), end: byte_at(i), glued });
        }
        glued = true;
    }
    tokens
}

/// Scans a word from `i`: letters and digits, with inner apostrophes, hyphens, dots,
/// slashes and ampersands when a letter or digit follows ("trial-to-paid", "R&D").
fn scan_word(chars: &[(usize, char)], mut i: usize) -> usize {
    let char_at = |i: usize| chars.get(i).map(|&(_, c)| c);
    while let Some(c) = char_at(i) {
        if c.is_alphanumeric() {
            i += 1;
        } else if matches!(c, '\'' | '’' | '-' | '‐' | '.' | '/' | '&' | '_')
            && char_at(i + 1).is_some_and(char::is_alphanumeric)
            && !(c == '.' && char_at(i + 1).is_some_and(|n| n.is_ascii_digit()))
        {
            i += 2;
        } else {
            break;
        }
    }
    i
}

fn push_word(tokens: &mut Vec<Token>, text: &str, start: usize, end: usize, glued: bool) {
    let written = text.get(start..end).unwrap_or_default().to_string();
    let lower = written.to_lowercase().replace('’', "'");
    tokens.push(Token { kind: TokenKind::Word { text: written, lower }, start, end, glued });
}

/// Lexes a numeral starting at `i` and pushes it (and a glued suffix word, if any).
/// Returns the index just past what was consumed.
fn lex_number(chars: &[(usize, char)], start: usize, text: &str, tokens: &mut Vec<Token>, glued: bool) -> usize {
    let char_at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let byte_at = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let is_digit = |i: usize| char_at(i).is_some_and(|c| c.is_ascii_digit());
    let mut i = start;
    let mut literal = String::new();
    if matches!(char_at(i), Some('-' | '−')) {
        literal.push('-');
        i += 1;
    }
    let mut grouped = false;
    let mut dot_grouped = false;
    let mut space_grouped = false;
    let mut decimal = false;
    let mut run = 0;
    while let Some(c) = char_at(i) {
        if c.is_ascii_digit() {
            literal.push(c);
            run += 1;
            i += 1;
        } else if c == ',' && !decimal && run >= 1 {
            // "100,000" groups thousands; "0,40" is a decimal comma.
            let digits_after = (1..=4).take_while(|k| is_digit(i + k)).count();
            if digits_after == 3 && ((!grouped && run <= 3) || (grouped && run == 3)) {
                grouped = true;
                run = 0;
                i += 1;
            } else if !grouped && (digits_after == 1 || digits_after == 2) {
                literal.push('.');
                decimal = true;
                i += 1;
            } else {
                break;
            }
        } else if c == '.' && !decimal && is_digit(i + 1) {
            // "2.000.000" groups thousands with dots (two groups at least, so that
            // "1.000" stays a decimal); anything else is a decimal point.
            let group = |at: usize| (0..3).all(|k| is_digit(at + k)) && !is_digit(at + 3);
            let starts_dotted = !grouped && run <= 3 && group(i + 1) && char_at(i + 4) == Some('.') && group(i + 5);
            let continues_dotted = dot_grouped && run == 3 && group(i + 1);
            if starts_dotted || continues_dotted {
                dot_grouped = true;
                grouped = true;
                run = 0;
                i += 1;
            } else if dot_grouped {
                break;
            } else {
                literal.push('.');
                decimal = true;
                i += 1;
            }
        } else if matches!(c, ' ' | '\u{a0}' | '\u{202f}')
            && !decimal
            && ((run <= 3 && !grouped) || (space_grouped && run == 3))
            && (1..=3).all(|k| is_digit(i + k))
            && !char_at(i + 4).is_some_and(|n| n.is_ascii_digit() || n.is_alphabetic() || matches!(n, '-' | ',' | '/'))
            && !(char_at(i + 4) == Some('.') && is_digit(i + 5))
        {
            // "10 000": thousands grouped with a space.
            space_grouped = true;
            grouped = true;
            run = 0;
            i += 1;
        } else {
            break;
        }
    }
    let mut numeral = Numeral { value: literal.parse::<f64>().unwrap_or(f64::NAN), decimal, grouped, fraction: false };
    // "1/5": a fraction, when it reads as one ("24/7" does not).
    if char_at(i) == Some('/') && !decimal && !grouped && is_digit(i + 1) {
        let mut j = i + 1;
        let mut denominator = String::new();
        while let Some(c) = char_at(j).filter(char::is_ascii_digit) {
            denominator.push(c);
            j += 1;
        }
        let den = denominator.parse::<f64>().unwrap_or(0.0);
        if den > 0.0 && numeral.value.abs() < den && !char_at(j).is_some_and(char::is_alphanumeric) {
            numeral = Numeral { value: numeral.value / den, decimal: false, grouped: false, fraction: true };
            i = j;
        } else {
            let end = scan_word(chars, j);
            push_word(tokens, text, byte_at(start), byte_at(end), glued);
            return end;
        }
    }
    // Letters glued to the numeral: a known suffix splits off, anything else makes the
    // whole thing one word ("2FA", "1st", "3D").
    let suffix_start = i;
    let mut j = i;
    while char_at(j).is_some_and(char::is_alphabetic) {
        j += 1;
    }
    let suffix: String = chars.get(suffix_start..j).map(|s| s.iter().map(|&(_, c)| c).collect()).unwrap_or_default();
    let after_suffix_is_word = char_at(j).is_some_and(|c| c.is_alphanumeric() || c == '_');
    let hyphen_word =
        j == suffix_start && matches!(char_at(i), Some('-' | '‐')) && char_at(i + 1).is_some_and(char::is_alphabetic);
    if hyphen_word || (j > suffix_start && (!GLUED_SUFFIXES.contains(&suffix.as_str()) || after_suffix_is_word)) {
        // "30-day", "5-star", "2FA": a word that starts with digits.
        let end = scan_word(chars, if hyphen_word { i } else { j });
        push_word(tokens, text, byte_at(start), byte_at(end), glued);
        return end;
    }
    if numeral.value.is_finite() {
        tokens.push(Token { kind: TokenKind::Number(numeral), start: byte_at(start), end: byte_at(i), glued });
    } else {
        push_word(tokens, text, byte_at(start), byte_at(i), glued);
    }
    if j > suffix_start {
        push_word(tokens, text, byte_at(suffix_start), byte_at(j), true);
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<String> {
        tokenize(text)
            .into_iter()
            .map(|t| match t.kind {
                TokenKind::Word { text, .. } => format!("w:{text}"),
                TokenKind::Number(n) => format!("n:{}", n.value),
                TokenKind::Symbol(c) => format!("s:{c}"),
            })
            .collect()
    }

    #[test]
    fn numbers_with_separators_and_decimals_are_one_token() {
        assert_eq!(kinds("100,000 and 4.2 and €0,40"), ["n:100000", "w:and", "n:4.2", "w:and", "s:€", "n:0.4"]);
        assert_eq!(kinds("1,234,567.5"), ["n:1234567.5"]);
        assert_eq!(kinds("2.000.000 and 1.000"), ["n:2000000", "w:and", "n:1"]);
        assert_eq!(kinds("10 000 users"), ["n:10000", "w:users"]);
        assert_eq!(kinds("5 500-seat"), ["n:5", "w:500-seat"]);
    }

    #[test]
    fn glued_suffixes_split_off_but_names_stay_words() {
        assert_eq!(kinds("$2.4M 8h 5X"), ["s:$", "n:2.4", "w:M", "n:8", "w:h", "n:5", "w:X"]);
        assert_eq!(kinds("2FA p99 Q3 30-day 1st"), ["w:2FA", "w:p99", "w:Q3", "w:30-day", "w:1st"]);
    }

    #[test]
    fn fractions_read_as_values_unless_they_are_names() {
        assert_eq!(kinds("1/5"), ["n:0.2"]);
        assert_eq!(kinds("24/7"), ["w:24/7"]);
    }

    #[test]
    fn arrows_and_comparators_fold_into_one_symbol() {
        assert_eq!(kinds("32 -> 50 >= <="), ["n:32", "s:→", "n:50", "s:≥", "s:≤"]);
    }

    #[test]
    fn mentions_are_dropped_and_hyphenated_words_kept() {
        assert_eq!(kinds("trial-to-paid @dana"), ["w:trial-to-paid"]);
    }

    #[test]
    fn a_dash_between_numbers_is_a_symbol_and_a_leading_minus_a_sign() {
        assert_eq!(kinds("2-3% -5"), ["n:2", "s:-", "n:3", "s:%", "n:-5"]);
    }
}
