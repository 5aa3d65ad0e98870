//! The grammar of a quantity: a number with its scale, unit or multiplier.
//!
//! ```text
//! quantity   := currency? magnitude scale? unit?        "$2.4M", "25k", "8h", "30 minutes"
//!             | fold                                     "5-fold", "twofold"
//! currency   := "$" | "€" | "£" | "US$" | USD | EUR | GBP
//! magnitude  := numeral | number-words | fraction-words  "100,000", "1/5", "twenty-five", "a dozen", "a third"
//! scale      := k | K | M | bn | B | thousand | million | billion   ("m" is a million only after a currency)
//! unit       := % [points] | percent | percentage points | pp | dollars | euros | pounds
//!             | ms | s | min | h | days | weeks | x | × | times
//! ```
//!
//! The phrase grammar decides what a quantity means (a target, a baseline, a change);
//! this module only reads its value.

use super::lexer::{Token, TokenKind};
use super::vocabulary::{SMALL_NUMBERS, TENS, fraction_word, scale_of, unit_word};

/// The units a key result can be measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// Percent.
    Percent,
    /// Percentage points, the difference of two percentages.
    PercentagePoint,
    /// US dollars.
    Usd,
    /// Euros.
    Eur,
    /// Pounds sterling.
    Gbp,
    /// Milliseconds.
    Millisecond,
    /// Seconds.
    Second,
    /// Minutes.
    Minute,
    /// Hours.
    Hour,
    /// Days.
    Day,
    /// Weeks.
    Week,
}

impl Unit {
    /// The unit as the parse result writes it.
    pub fn code(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::PercentagePoint => "pp",
            Unit::Usd => "USD",
            Unit::Eur => "EUR",
            Unit::Gbp => "GBP",
            Unit::Millisecond => "ms",
            Unit::Second => "s",
            Unit::Minute => "min",
            Unit::Hour => "h",
            Unit::Day => "days",
            Unit::Week => "weeks",
        }
    }

    /// The length of a unit of time in milliseconds (whole numbers, so that conversions
    /// stay exact); `None` for other units.
    pub fn milliseconds(self) -> Option<f64> {
        match self {
            Unit::Millisecond => Some(1.0),
            Unit::Second => Some(1e3),
            Unit::Minute => Some(6e4),
            Unit::Hour => Some(3.6e6),
            Unit::Day => Some(8.64e7),
            Unit::Week => Some(6.048e8),
            _ => None,
        }
    }

    fn is_currency(self) -> bool {
        matches!(self, Unit::Usd | Unit::Eur | Unit::Gbp)
    }
}

/// How the magnitude of a quantity was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Written {
    /// With digits: "40", "2.4", "1/5".
    Digits,
    /// With number words: "ten", "a dozen".
    Words,
    /// As a fraction word: "half", "a third"; only a relative change reads these.
    FractionWord,
    /// The word "zero", which counts only where a number is expected ("to zero").
    Zero,
}

/// A quantity read from the tokens `start..end`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Quantity {
    /// The value with its scale applied; always finite.
    pub value: f64,
    /// The value before its scale.
    pub raw: f64,
    /// The unit, if one was written.
    pub unit: Option<Unit>,
    /// Written as a multiplier: "5x", "3-fold", "2 times".
    pub multiplier: bool,
    /// How the magnitude was written.
    pub written: Written,
    /// Written as a digit fraction, "1/5".
    pub fraction: bool,
    /// Digits with nothing around them: no unit, scale, separators or multiplier. Such a
    /// number may be part of a name ("Level 1") or a date.
    pub plain: bool,
    /// The scale factor (1 when none was written).
    pub scale: f64,
    /// The scale was a separate word ("1.2 to 2 million"), which a bare start shares.
    pub scale_word: bool,
    /// First token.
    pub start: usize,
    /// Just past the last token.
    pub end: usize,
}

fn word(tokens: &[Token], i: usize) -> Option<&str> {
    tokens.get(i).and_then(Token::word)
}

fn symbol(tokens: &[Token], i: usize) -> Option<char> {
    tokens.get(i).and_then(Token::symbol)
}

/// Reads a quantity starting exactly at token `i`.
pub(crate) fn quantity_at(tokens: &[Token], i: usize) -> Option<Quantity> {
    if let Some(q) = fold_at(tokens, i) {
        return Some(q);
    }
    let start = i;
    let mut i = i;
    let mut unit = None;
    // Currency before the number.
    match (symbol(tokens, i), word(tokens, i)) {
        (Some('$'), _) => unit = Some(Unit::Usd),
        (Some('€'), _) => unit = Some(Unit::Eur),
        (Some('£'), _) => unit = Some(Unit::Gbp),
        (_, Some("us")) if symbol(tokens, i + 1) == Some('$') => {
            unit = Some(Unit::Usd);
            i += 1;
        }
        (_, Some(w @ ("usd" | "eur" | "gbp"))) if tokens.get(i + 1).and_then(Token::numeral).is_some() => {
            unit = unit_word(w);
        }
        _ => {}
    }
    if unit.is_some() {
        i += 1;
    }
    let currency = unit.is_some();
    let (raw, written, fraction, grouped, mut i) = match tokens.get(i).map(|t| &t.kind) {
        Some(TokenKind::Number(n)) => (n.value, Written::Digits, n.fraction, n.grouped, i + 1),
        _ => {
            let (value, written, next) = number_words_at(tokens, i)?;
            (value, written, false, false, next)
        }
    };
    // Scale: glued ("25k", "$2.4m") or a separate word ("1 million", "$20 K").
    let mut scale = 1.0;
    let mut scale_word = false;
    if written == Written::Digits
        && let Some(t) = tokens.get(i)
        && let TokenKind::Word { text, lower } = &t.kind
    {
        let currency_m = currency && matches!(text.as_str(), "m" | "b");
        // A lone lower-case "k" or "b" after a space is more likely a stray letter.
        let stray = !t.glued && matches!(text.as_str(), "k" | "b");
        let factor = if currency_m {
            Some(if text == "m" { 1e6 } else { 1e9 })
        } else if stray {
            None
        } else {
            scale_of(text, lower)
        };
        if let Some(f) = factor {
            scale = f;
            scale_word = !t.glued && lower.len() > 2;
            i += 1;
        }
    }
    // Unit after the number.
    let mut multiplier = false;
    if let Some(t) = tokens.get(i) {
        match &t.kind {
            TokenKind::Symbol('%') => {
                unit = Some(Unit::Percent);
                i += 1;
                if matches!(word(tokens, i), Some("points" | "point" | "pts" | "pt")) {
                    unit = Some(Unit::PercentagePoint);
                    i += 1;
                }
            }
            TokenKind::Symbol('×') => {
                multiplier = true;
                i += 1;
            }
            TokenKind::Symbol(c @ ('$' | '€' | '£')) if t.glued && !currency => {
                unit = Some(match c {
                    '$' => Unit::Usd,
                    '€' => Unit::Eur,
                    _ => Unit::Gbp,
                });
                i += 1;
            }
            TokenKind::Word { text, lower } => {
                let lower = lower.as_str();
                let next = word(tokens, i + 1);
                match lower {
                    "x" => {
                        multiplier = true;
                        i += 1;
                    }
                    "times" if !matches!(next, Some("a" | "an" | "per" | "each" | "every" | "this" | "in")) => {
                        multiplier = true;
                        i += 1;
                    }
                    "per" if next == Some("cent") => {
                        unit = Some(Unit::Percent);
                        i += 2;
                    }
                    "percentage" if matches!(next, Some("points" | "point" | "pts")) => {
                        unit = Some(Unit::PercentagePoint);
                        i += 2;
                    }
                    "percent" | "pct" if matches!(next, Some("points" | "point")) => {
                        unit = Some(Unit::PercentagePoint);
                        i += 2;
                    }
                    "basis" if matches!(next, Some("points" | "point")) => {
                        // A basis point is a hundredth of a percentage point.
                        unit = Some(Unit::PercentagePoint);
                        scale *= 0.01;
                        i += 2;
                    }
                    "bps" | "bp" => {
                        unit = Some(Unit::PercentagePoint);
                        scale *= 0.01;
                        i += 1;
                    }
                    "business" | "working" | "calendar" if matches!(next, Some("days" | "day")) => {
                        unit = Some(Unit::Day);
                        i += 2;
                    }
                    "m" if !currency => {
                        unit = Some(Unit::Minute);
                        i += 1;
                    }
                    "w" if t.glued => {
                        unit = Some(Unit::Week);
                        i += 1;
                    }
                    // "1TB", "100 Mbps": the number stands, in a unit we do not keep.
                    "kb" | "mb" | "gb" | "tb" | "pb" | "kbps" | "mbps" | "gbps" if !currency => i += 1,
                    // "10s of millions", "100s of customers": at least that many.
                    "s" if t.glued && next == Some("of") && scale == 1.0 => {
                        let of_scale = word(tokens, i + 2).and_then(|w| match w {
                            "hundreds" => Some(1e2),
                            "thousands" => Some(1e3),
                            "millions" => Some(1e6),
                            "billions" => Some(1e9),
                            _ => None,
                        });
                        match of_scale {
                            Some(f) => {
                                scale = f;
                                i += 3;
                            }
                            None => i += 1,
                        }
                    }
                    _ => {
                        if let Some(u) = unit_word(lower) {
                            let is_currency = u.is_currency();
                            // "s", "h" and "d" read as units only right after a number.
                            let short = matches!(lower, "s" | "h" | "d");
                            let d_ok = lower != "d" || t.glued;
                            if (!is_currency || !currency) && (!short || text.len() == 1) && d_ok {
                                unit = Some(u);
                                i += 1;
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let value = raw * scale;
    if !value.is_finite() {
        return None;
    }
    let plain = written == Written::Digits && unit.is_none() && scale == 1.0 && !grouped && !fraction && !multiplier;
    Some(Quantity { value, raw, unit, multiplier, written, fraction, plain, scale, scale_word, start, end: i })
}

/// "once", "twice", "thrice": a count of times, or a multiplier when a comparison
/// follows ("twice as many sign-ups as last year").
pub(crate) fn times_word_at(tokens: &[Token], i: usize) -> Option<Quantity> {
    let value = match word(tokens, i)? {
        "once" => 1.0,
        "twice" => 2.0,
        "thrice" => 3.0,
        _ => return None,
    };
    let multiplier = value > 1.0 && word(tokens, i + 1) == Some("as");
    Some(Quantity {
        value,
        raw: value,
        unit: None,
        multiplier,
        written: Written::Words,
        fraction: false,
        plain: false,
        scale: 1.0,
        scale_word: false,
        start: i,
        end: i + 1,
    })
}

/// "5-fold", "fivefold", "twofold": a multiplier in one word.
fn fold_at(tokens: &[Token], i: usize) -> Option<Quantity> {
    let lower = word(tokens, i)?;
    let stem = lower.strip_suffix("-fold").or_else(|| lower.strip_suffix("fold"))?;
    let value = stem.parse::<f64>().ok().or_else(|| small_number(stem)).filter(|v| v.is_finite() && *v > 0.0)?;
    Some(Quantity {
        value,
        raw: value,
        unit: None,
        multiplier: true,
        written: Written::Digits,
        fraction: false,
        plain: false,
        scale: 1.0,
        scale_word: false,
        start: i,
        end: i + 1,
    })
}

fn small_number(w: &str) -> Option<f64> {
    SMALL_NUMBERS.iter().chain(TENS).find(|(name, _)| *name == w).map(|&(_, v)| v)
}

/// A word of a spelled-out number.
enum NumberWord {
    Small(f64),
    Tens(f64),
    Hundred,
    Scale(f64),
    Dozen,
}

fn number_word(w: &str) -> Option<NumberWord> {
    if let Some(&(_, v)) = SMALL_NUMBERS.iter().find(|(name, _)| *name == w) {
        return Some(NumberWord::Small(v));
    }
    if let Some(&(_, v)) = TENS.iter().find(|(name, _)| *name == w) {
        return Some(NumberWord::Tens(v));
    }
    match w {
        "hundred" => Some(NumberWord::Hundred),
        "thousand" => Some(NumberWord::Scale(1e3)),
        "million" => Some(NumberWord::Scale(1e6)),
        "billion" => Some(NumberWord::Scale(1e9)),
        "dozen" => Some(NumberWord::Dozen),
        _ => None,
    }
}

/// "twenty-five" as one word.
fn hyphenated_number(w: &str) -> Option<f64> {
    let (tens, unit) = w.split_once('-')?;
    match (number_word(tens)?, number_word(unit)?) {
        (NumberWord::Tens(t), NumberWord::Small(u)) if (1.0..10.0).contains(&u) => Some(t + u),
        _ => None,
    }
}

/// A fraction word's value to four decimals, as the examples state them ("a third" is
/// 0.3333, "two thirds" 0.6667): people who write "a third" mean that precision.
fn as_written(fraction: f64) -> f64 {
    (fraction * 10_000.0).round() / 10_000.0
}

/// Reads spelled-out numbers and fraction words from `i`: "ten", "twenty five",
/// "one hundred and fifty", "a dozen", "half a million", "a third", "two thirds".
/// At most a dozen words are read, so the scan stays linear.
fn number_words_at(tokens: &[Token], i: usize) -> Option<(f64, Written, usize)> {
    let first = word(tokens, i)?;
    let second = word(tokens, i + 1);
    // Fractions: "half", "a half", "a third", "one quarter", "two thirds", "two-thirds".
    if first == "half"
        && second == Some("a")
        && matches!(word(tokens, i + 2), Some("dozen" | "hundred" | "thousand" | "million" | "billion"))
        && let Some((v, Written::Words, next)) = number_words_at(tokens, i + 1)
    {
        return Some((v / 2.0, Written::Words, next));
    }
    if let Some(f) = fraction_word(first).filter(|_| first == "half") {
        return Some((f, Written::FractionWord, i + 1));
    }
    if let Some((numerator, denominator)) = first.split_once('-')
        && let (Some(NumberWord::Small(n)), Some(f)) = (number_word(numerator), fraction_word(denominator))
    {
        return Some((as_written(n * f), Written::FractionWord, i + 1));
    }
    let numerator = match first {
        "a" | "an" | "one" => Some(1.0),
        _ => match number_word(first) {
            Some(NumberWord::Small(n)) if n >= 2.0 => Some(n),
            _ => None,
        },
    };
    if let (Some(n), Some(f)) = (numerator, second.and_then(fraction_word)) {
        let plural = second.is_some_and(|s| s.ends_with('s'));
        if plural == (n > 1.0) {
            return Some((as_written(n * f), Written::FractionWord, i + 2));
        }
    }
    let mut j = i;
    let mut total = 0.0;
    let mut current = 0.0;
    let mut any = false;
    let mut last_was_unit = false;
    let mut last_was_tens = false;
    if matches!(first, "a" | "an") && matches!(second, Some("dozen" | "hundred" | "thousand" | "million" | "billion")) {
        current = 1.0;
        j += 1;
    }
    while j < i + 12 {
        let Some(w) = word(tokens, j) else { break };
        let parsed = hyphenated_number(w).map(NumberWord::Tens).or_else(|| number_word(w));
        match parsed {
            Some(NumberWord::Small(v)) if !last_was_unit && (!last_was_tens || v < 10.0) => {
                current += v;
                last_was_unit = true;
            }
            Some(NumberWord::Tens(v)) if !last_was_unit && !last_was_tens => {
                current += v;
                last_was_tens = hyphenated_number(w).is_none();
                last_was_unit = hyphenated_number(w).is_some();
            }
            Some(NumberWord::Hundred) if any || current > 0.0 => {
                current = if current == 0.0 { 100.0 } else { current * 100.0 };
                last_was_unit = false;
                last_was_tens = false;
            }
            Some(NumberWord::Scale(s)) if any || current > 0.0 => {
                total += if current == 0.0 { s } else { current * s };
                current = 0.0;
                last_was_unit = false;
                last_was_tens = false;
            }
            Some(NumberWord::Dozen) if any || current > 0.0 => {
                current = if current == 0.0 { 12.0 } else { current * 12.0 };
                last_was_unit = true;
            }
            _ if w == "and" && any && word(tokens, j + 1).and_then(number_word).is_some() && !last_was_unit => {
                j += 1;
                continue;
            }
            _ => break,
        }
        any = true;
        j += 1;
    }
    if !any {
        return None;
    }
    let value = total + current;
    // "one of the …" is not a count.
    if value == 1.0 && word(tokens, j) == Some("of") {
        return None;
    }
    let written = if value == 0.0 { Written::Zero } else { Written::Words };
    Some((value, written, j))
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;

    fn read(text: &str) -> Option<(f64, Option<&'static str>, bool)> {
        let tokens = tokenize(text);
        quantity_at(&tokens, 0).map(|q| (q.value, q.unit.map(Unit::code), q.multiplier))
    }

    #[test]
    fn scales_and_currencies_combine() {
        assert_eq!(read("$2.4M"), Some((2_400_000.0, Some("USD"), false)));
        assert_eq!(read("$2.4m"), Some((2_400_000.0, Some("USD"), false)));
        assert_eq!(read("£50k"), Some((50_000.0, Some("GBP"), false)));
        assert_eq!(read("$1 million"), Some((1_000_000.0, Some("USD"), false)));
        assert_eq!(read("€1.2bn"), Some((1_200_000_000.0, Some("EUR"), false)));
        assert_eq!(read("25k"), Some((25_000.0, None, false)));
        assert_eq!(read("2 million dollars"), Some((2_000_000.0, Some("USD"), false)));
        assert_eq!(read("5,000 USD"), Some((5_000.0, Some("USD"), false)));
    }

    #[test]
    fn units_of_time_and_percent() {
        assert_eq!(read("8h"), Some((8.0, Some("h"), false)));
        assert_eq!(read("300 ms"), Some((300.0, Some("ms"), false)));
        assert_eq!(read("4.2 s"), Some((4.2, Some("s"), false)));
        assert_eq!(read("30 minutes"), Some((30.0, Some("min"), false)));
        assert_eq!(read("20m"), Some((20.0, Some("min"), false)));
        assert_eq!(read("2 business days"), Some((2.0, Some("days"), false)));
        assert_eq!(read("12 percent"), Some((12.0, Some("%"), false)));
        assert_eq!(read("2 percentage points"), Some((2.0, Some("pp"), false)));
        assert_eq!(read("3 % points"), Some((3.0, Some("pp"), false)));
    }

    #[test]
    fn multipliers() {
        assert_eq!(read("5X"), Some((5.0, None, true)));
        assert_eq!(read("3-fold"), Some((3.0, None, true)));
        assert_eq!(read("twofold"), Some((2.0, None, true)));
        assert_eq!(read("2 times"), Some((2.0, None, true)));
        assert_eq!(read("3 times a week"), Some((3.0, None, false)));
    }

    #[test]
    fn number_words() {
        assert_eq!(read("ten"), Some((10.0, None, false)));
        assert_eq!(read("twenty-five"), Some((25.0, None, false)));
        assert_eq!(read("twenty five"), Some((25.0, None, false)));
        assert_eq!(read("a dozen"), Some((12.0, None, false)));
        assert_eq!(read("two dozen"), Some((24.0, None, false)));
        assert_eq!(read("one hundred and fifty"), Some((150.0, None, false)));
        assert_eq!(read("half a million"), Some((500_000.0, None, false)));
        assert_eq!(read("a third").map(|r| r.0), Some(0.3333));
        assert_eq!(read("two thirds").map(|r| r.0), Some(0.6667));
        assert_eq!(read("five-star"), None);
        assert_eq!(read("one of"), None);
    }
}
