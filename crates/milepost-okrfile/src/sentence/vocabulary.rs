//! The words the grammar knows: verbs by what they do to a number, units, comparators,
//! number words and the small words that hold a sentence together.
//!
//! The lists are data, kept apart from the grammar so that a new verb or unit is one
//! line here and no change to the rules.

use super::quantity::Unit;
use milepost_core::Comparator;

/// A list of words, written as one string so that a list reads as a sentence does.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Words(&'static str);

impl Words {
    /// Whether `word` is in the list: found in the text with a space or an end on either
    /// side. (A substring search, rather than splitting the list at every lookup, since
    /// the parser asks this of nearly every token.)
    pub fn contains(self, word: &str) -> bool {
        if word.is_empty() || word.contains(char::is_whitespace) {
            return false;
        }
        let list = self.0.as_bytes();
        self.0.match_indices(word).any(|(at, _)| {
            let before = at.checked_sub(1).and_then(|k| list.get(k)).is_none_or(u8::is_ascii_whitespace);
            let after = list.get(at + word.len()).is_none_or(u8::is_ascii_whitespace);
            before && after
        })
    }
}

/// Which way a verb moves the number it acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// The number goes up.
    Up,
    /// The number goes down.
    Down,
}

/// What a verb says about a key result.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct VerbSense {
    /// The direction of change it names, if any ("reduce" is down).
    pub direction: Option<Direction>,
    /// A verb of keeping ("keep", "maintain").
    pub keeps: bool,
    /// A verb of finishing ("launch", "complete"): with nothing to count it names a milestone.
    pub finishes: bool,
    /// A multiplier the verb itself states ("double" is 2, "halve" is 0.5).
    pub multiplier: Option<f64>,
    /// The direction is only a guess that the numbers override: "improve" means down
    /// for "page load time to under 2 seconds".
    pub tentative: bool,
}

/// Verbs whose direction is a guess ("improve latency" means lower it).
const TENTATIVE: Words = Words("improve enhance optimize optimise better");

const UP: Words = Words(
    "increase raise grow boost lift improve expand accelerate scale enhance maximize maximise strengthen elevate \
    widen broaden uplift amplify multiply ramp up bump climb rise",
);

const DOWN: Words = Words(
    "reduce cut decrease lower lessen shrink drop minimize minimise slash trim shorten diminish decline compress \
    curb eliminate fall downsize halve lose contain",
);

const KEEP: Words = Words("keep maintain stay hold sustain remain preserve retain ensure guarantee");

/// Verbs that name something to finish or obtain; with a count they still read as an
/// increase ("Launch 3 new products"), without one as a milestone.
const FINISH: Words = Words(
    "launch complete ship release deliver publish finish implement roll migrate build create design develop \
    deploy introduce establish set define document beat pass achieve obtain open sign close integrate automate \
    redesign rebuild replace adopt finalize finalise win start kick organize organise host upgrade refactor \
    sunset deprecate retire transition consolidate standardize standardise enable rewrite translate localize \
    localise onboard secure hire reach earn pilot prototype validate certify become select choose negotiate \
    renew announce present train perform execute schedule fix remove add support conduct run write draft prepare \
    submit attain go move switch wrap unify merge get land recruit expand open-source unlock produce record film \
    send install configure test audit map hit ensure guarantee extend",
);

/// Other verbs that take a count of new things ("Gain 100,000 followers").
const ACQUIRE: Words = Words(
    "gain generate acquire attract collect gather handle process serve sell score make bring book drive push take \
    convert engage resolve answer respond interview save deliver have see welcome register enroll enrol activate \
    grab capture log visit contact call email ship source qualify nurture touch meet reach",
);

/// Other common verbs of work, which name no change in a number: known so that the
/// first word of "Determine licensing strategy" reads as a verb and the rest as its object.
const WORK: Words = Words(
    "plan provide store determine specify describe identify estimate consider change highlight separate know \
    curate measure use do analyze analyse research review evaluate assess investigate explore understand learn \
    study survey interview share promote coordinate organize support involve invite partner engage communicate \
    discuss agree decide draft outline propose prioritize prioritise track monitor report collaborate help \
    facilitate mentor teach educate inform announce present demonstrate showcase participate attend speak talk \
    sponsor fund contribute offer create make write finalize formalize formalise annotate \
    clarify simplify streamline modernize modernise revamp revise rework update refresh overhaul polish \
    benchmark profile instrument expose publish package distribute port extract split",
);

/// Verbs that state their own multiplier.
const MULTIPLIER_VERBS: &[(&str, f64)] = &[("double", 2.0), ("triple", 3.0), ("quadruple", 4.0), ("halve", 0.5)];

/// Looks up a verb by any of its usual forms ("reduces", "reduced", "reducing").
pub(crate) fn verb_sense(word: &str) -> Option<VerbSense> {
    lemmas(word).into_iter().find_map(|lemma| base_sense(&lemma))
}

/// Looks up a verb only in the base form the imperative uses.
pub(crate) fn base_sense(lemma: &str) -> Option<VerbSense> {
    let mut sense = VerbSense::default();
    let mut known = false;
    if let Some(&(_, m)) = MULTIPLIER_VERBS.iter().find(|(w, _)| *w == lemma) {
        sense.multiplier = Some(m);
        sense.direction = Some(if m > 1.0 { Direction::Up } else { Direction::Down });
        known = true;
    }
    if UP.contains(lemma) {
        sense.direction = Some(Direction::Up);
        known = true;
    }
    if DOWN.contains(lemma) {
        sense.direction = Some(Direction::Down);
        known = true;
    }
    if TENTATIVE.contains(lemma) {
        sense.direction = Some(Direction::Up);
        sense.tentative = true;
        known = true;
    }
    if KEEP.contains(lemma) {
        sense.keeps = true;
        known = true;
    }
    if FINISH.contains(lemma) {
        sense.finishes = true;
        known = true;
    }
    if ACQUIRE.contains(lemma) || WORK.contains(lemma) {
        known = true;
    }
    known.then_some(sense)
}

/// Candidate base forms of an inflected verb, the word itself first.
fn lemmas(word: &str) -> Vec<String> {
    let mut out = vec![word.to_string()];
    let mut push = |s: &str| {
        if s.len() >= 2 {
            out.push(s.to_string());
        }
    };
    if let Some(stem) = word.strip_suffix("ies").or_else(|| word.strip_suffix("ied")) {
        push(&format!("{stem}y"));
    }
    for suffix in ["es", "s", "ed", "d", "ing"] {
        if let Some(stem) = word.strip_suffix(suffix) {
            push(stem);
            if suffix == "ing" || suffix == "ed" {
                push(&format!("{stem}e"));
                // "cutting", "dropped": a doubled consonant.
                let mut last = stem.char_indices().rev();
                if let (Some((at, a)), Some((_, b))) = (last.next(), last.next())
                    && a == b
                {
                    push(&stem[..at]);
                }
            }
        }
    }
    out
}

/// Particles that join a verb to make a phrasal verb ("roll out", "bring down").
pub(crate) const PARTICLES: Words = Words("up down out in off live through");

/// Words that may open a key result before its verb ("We will increase …").
pub(crate) const LEADING_FILLER: Words = Words(
    "to we will we'll i must should successfully fully also then let's let us can shall and finally please sure \
    that",
);

/// Month names, for dates such as "by March 31".
pub(crate) const MONTHS: Words = Words(
    "january february march april may june july august september october november december jan feb mar apr jun \
    jul aug sep sept oct nov dec",
);

/// Whether a word names a quarter, a half or a fiscal year ("Q3", "H2", "FY26").
pub(crate) fn is_period_name(word: &str) -> bool {
    let bytes = word.as_bytes();
    let digits_after = |n: usize| bytes.len() > n && bytes[n..].iter().all(u8::is_ascii_digit);
    (matches!(bytes.first(), Some(b'q' | b'h')) && digits_after(1) && bytes.len() <= 2)
        || (word.starts_with("fy") && (bytes.len() == 2 || digits_after(2)))
        || MONTHS.contains(word)
        || matches!(word, "yoy" | "mom" | "qoq" | "wow" | "y/y" | "m/m" | "q/q" | "eoy" | "eoq" | "ytd")
}

/// Words a metric does not start or end with.
pub(crate) const EDGE_WORDS: Words = Words(
    "the a an our my your their its his her this that these those all every of in on for to with at by and or \
    from per into across than is are be so it we us up down out about around approximately approx roughly nearly almost \
    just only some total overall least most while as",
);

/// Words that may stand between a preposition and its number ("to about 50%").
pub(crate) const APPROXIMATORS: Words =
    Words("about around approximately approx roughly nearly almost just only ~ circa ca some est");

/// Words between "from" and a start stated after the target ("to 75% from current 45%",
/// "from today's 45%", "from a baseline of 45%").
pub(crate) const BASELINE_WORDS: Words =
    Words("current currently today's todays the a an baseline of present existing our last year's quarter's");

/// Prepositions and other small words after which a number is not a name's part.
pub(crate) const FUNCTION_WORDS: Words = Words(
    "the a an of in on for to with at by and or from per into than our my your their its all every each over \
    under above below between least most new more fewer less another additional extra first only just about \
    around approximately roughly nearly almost within is are be get",
);

/// Nouns after which a plain number is part of a name ("Level 1", "version 3").
pub(crate) const NAME_NOUNS: Words = Words(
    "level version phase stage tier step release season series round wave type grade class category priority sev \
    severity chapter module part section sprint milestone gen generation iso soc pci wcag hipaa v api python \
    java ios android windows postgresql postgres mysql node http ipv web industry room building floor track team \
    squad pillar epic rfc gate lane region zone cohort batch route line model mark article item objective kr okr \
    bug issue ticket pr day week quarter year top bottom fortune",
);

/// Comparators written before a number, longest first ("at or above 92%").
pub(crate) const PREFIX_COMPARATORS: &[(&[&str], Comparator)] = &[
    (&["at", "or", "above"], Comparator::AtLeast),
    (&["at", "or", "over"], Comparator::AtLeast),
    (&["at", "or", "higher", "than"], Comparator::AtLeast),
    (&["at", "or", "below"], Comparator::AtMost),
    (&["at", "or", "under"], Comparator::AtMost),
    (&["at", "or", "lower", "than"], Comparator::AtMost),
    (&["no", "less", "than"], Comparator::AtLeast),
    (&["not", "less", "than"], Comparator::AtLeast),
    (&["no", "fewer", "than"], Comparator::AtLeast),
    (&["no", "lower", "than"], Comparator::AtLeast),
    (&["not", "lower", "than"], Comparator::AtLeast),
    (&["not", "below"], Comparator::AtLeast),
    (&["not", "under"], Comparator::AtLeast),
    (&["no", "more", "than"], Comparator::AtMost),
    (&["not", "more", "than"], Comparator::AtMost),
    (&["no", "higher", "than"], Comparator::AtMost),
    (&["not", "higher", "than"], Comparator::AtMost),
    (&["not", "above"], Comparator::AtMost),
    (&["not", "over"], Comparator::AtMost),
    (&["not", "exceeding"], Comparator::AtMost),
    (&["not", "to", "exceed"], Comparator::AtMost),
    (&["in", "excess", "of"], Comparator::AtLeast),
    (&["a", "minimum", "of"], Comparator::AtLeast),
    (&["minimum", "of"], Comparator::AtLeast),
    (&["a", "maximum", "of"], Comparator::AtMost),
    (&["maximum", "of"], Comparator::AtMost),
    (&["more", "than"], Comparator::AtLeast),
    (&["greater", "than"], Comparator::AtLeast),
    (&["higher", "than"], Comparator::AtLeast),
    (&["better", "than"], Comparator::AtLeast),
    (&["less", "than"], Comparator::AtMost),
    (&["fewer", "than"], Comparator::AtMost),
    (&["lower", "than"], Comparator::AtMost),
    (&["at", "least"], Comparator::AtLeast),
    (&["at", "most"], Comparator::AtMost),
    (&["upwards", "of"], Comparator::AtLeast),
    (&["above"], Comparator::AtLeast),
    (&["over"], Comparator::AtLeast),
    (&["beyond"], Comparator::AtLeast),
    (&["exceeding"], Comparator::AtLeast),
    (&["minimum"], Comparator::AtLeast),
    (&["below"], Comparator::AtMost),
    (&["under"], Comparator::AtMost),
    (&["beneath"], Comparator::AtMost),
    (&["within"], Comparator::AtMost),
    (&["maximum"], Comparator::AtMost),
    (&["max"], Comparator::AtMost),
];

/// Comparators written after a number ("4.5 or higher").
pub(crate) const POSTFIX_COMPARATORS: &[(&[&str], Comparator)] = &[
    (&["or", "more"], Comparator::AtLeast),
    (&["or", "higher"], Comparator::AtLeast),
    (&["or", "better"], Comparator::AtLeast),
    (&["or", "above"], Comparator::AtLeast),
    (&["or", "greater"], Comparator::AtLeast),
    (&["or", "over"], Comparator::AtLeast),
    (&["or", "up"], Comparator::AtLeast),
    (&["and", "above"], Comparator::AtLeast),
    (&["and", "up"], Comparator::AtLeast),
    (&["and", "higher"], Comparator::AtLeast),
    (&["and", "over"], Comparator::AtLeast),
    (&["at", "least"], Comparator::AtLeast),
    (&["minimum"], Comparator::AtLeast),
    (&["or", "less"], Comparator::AtMost),
    (&["or", "lower"], Comparator::AtMost),
    (&["or", "fewer"], Comparator::AtMost),
    (&["or", "below"], Comparator::AtMost),
    (&["or", "under"], Comparator::AtMost),
    (&["or", "faster"], Comparator::AtMost),
    (&["or", "shorter"], Comparator::AtMost),
    (&["or", "cheaper"], Comparator::AtMost),
    (&["and", "below"], Comparator::AtMost),
    (&["and", "under"], Comparator::AtMost),
    (&["at", "most"], Comparator::AtMost),
    (&["at", "the", "most"], Comparator::AtMost),
    (&["maximum"], Comparator::AtMost),
    (&["max"], Comparator::AtMost),
    (&["tops"], Comparator::AtMost),
];

/// Nouns of change ("a 25% reduction in cloud costs") and the way each points.
pub(crate) const CHANGE_NOUNS: &[(&str, Direction)] = &[
    ("increase", Direction::Up),
    ("rise", Direction::Up),
    ("growth", Direction::Up),
    ("improvement", Direction::Up),
    ("uplift", Direction::Up),
    ("lift", Direction::Up),
    ("boost", Direction::Up),
    ("gain", Direction::Up),
    ("jump", Direction::Up),
    ("increment", Direction::Up),
    ("expansion", Direction::Up),
    ("reduction", Direction::Down),
    ("decrease", Direction::Down),
    ("drop", Direction::Down),
    ("decline", Direction::Down),
    ("cut", Direction::Down),
    ("fall", Direction::Down),
    ("decrement", Direction::Down),
    ("savings", Direction::Down),
    ("saving", Direction::Down),
];

/// Comparatives after a number ("20% more tickets") and the way each points.
pub(crate) const COMPARATIVES: &[(&str, Direction)] = &[
    ("more", Direction::Up),
    ("higher", Direction::Up),
    ("greater", Direction::Up),
    ("bigger", Direction::Up),
    ("larger", Direction::Up),
    ("better", Direction::Up),
    ("fewer", Direction::Down),
    ("less", Direction::Down),
    ("lower", Direction::Down),
    ("smaller", Direction::Down),
    ("faster", Direction::Down),
    ("cheaper", Direction::Down),
    ("shorter", Direction::Down),
    ("quicker", Direction::Down),
];

/// Words that say a sentence wants change without saying how much ("more users").
pub(crate) const VAGUE_COMPARATIVES: Words =
    Words("more better less fewer higher lower faster greater stronger easier happier");

/// Words that open an object after a verb: "Curate *the* content", "Welcome *each* member".
pub(crate) const OBJECT_OPENERS: Words = Words(
    "the a an our my your their its his her this that these those all every each some any new more it them \
    us everyone everything",
);

/// Words that make a parenthetical aside part of the numbers: "(current is 125k)",
/// "(up from 2)".
pub(crate) const ASIDE_KEEPS: Words = Words("from current currently was baseline up down to by vs versus today");

/// Words that end a sentence's main clause: a relative clause, a second verb phrase or a
/// purpose follows ("… that makes it less remote-friendly", "… and want more women").
pub(crate) const CLAUSE_BREAKS: Words =
    Words("that which who whom whose where when so and because while to mentioning");

/// Number words from zero to nineteen.
pub(crate) const SMALL_NUMBERS: &[(&str, f64)] = &[
    ("zero", 0.0),
    ("one", 1.0),
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("eleven", 11.0),
    ("twelve", 12.0),
    ("thirteen", 13.0),
    ("fourteen", 14.0),
    ("fifteen", 15.0),
    ("sixteen", 16.0),
    ("seventeen", 17.0),
    ("eighteen", 18.0),
    ("nineteen", 19.0),
];

/// Number words for the tens.
pub(crate) const TENS: &[(&str, f64)] = &[
    ("twenty", 20.0),
    ("thirty", 30.0),
    ("forty", 40.0),
    ("fourty", 40.0),
    ("fifty", 50.0),
    ("sixty", 60.0),
    ("seventy", 70.0),
    ("eighty", 80.0),
    ("ninety", 90.0),
];

/// Scale words and glued scale suffixes. Case matters for the suffixes: "M" is always a
/// million, "m" only after a currency (see the quantity grammar).
pub(crate) fn scale_of(written: &str, lower: &str) -> Option<f64> {
    match lower {
        "thousand" | "thousands" => Some(1e3),
        "million" | "millions" | "mn" | "mil" | "mm" => Some(1e6),
        "billion" | "billions" | "bn" => Some(1e9),
        "trillion" | "tn" => Some(1e12),
        "k" => Some(1e3),
        _ => match written {
            "M" | "MM" => Some(1e6),
            "B" => Some(1e9),
            _ => None,
        },
    }
}

/// Unit words and symbols written after a number.
pub(crate) fn unit_word(lower: &str) -> Option<Unit> {
    Some(match lower {
        "percent" | "pct" | "per-cent" => Unit::Percent,
        "pp" | "ppt" | "ppts" | "p.p" | "pps" => Unit::PercentagePoint,
        "usd" | "dollars" | "dollar" | "bucks" => Unit::Usd,
        "eur" | "euros" | "euro" => Unit::Eur,
        "gbp" | "pounds" | "pound" | "quid" => Unit::Gbp,
        "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => Unit::Millisecond,
        "s" | "sec" | "secs" | "second" | "seconds" => Unit::Second,
        "min" | "mins" | "minute" | "minutes" => Unit::Minute,
        "h" | "hr" | "hrs" | "hour" | "hours" => Unit::Hour,
        "d" | "day" | "days" => Unit::Day,
        "wk" | "wks" | "week" | "weeks" => Unit::Week,
        _ => return None,
    })
}

/// Fractions written as words, used for relative change ("by a third").
pub(crate) fn fraction_word(lower: &str) -> Option<f64> {
    match lower {
        "half" => Some(0.5),
        "third" => Some(1.0 / 3.0),
        "quarter" => Some(0.25),
        "fifth" => Some(0.2),
        "tenth" => Some(0.1),
        "thirds" => Some(1.0 / 3.0),
        "quarters" => Some(0.25),
        "fifths" => Some(0.2),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflected_verbs_find_their_base_form() {
        assert_eq!(verb_sense("reduces").and_then(|s| s.direction), Some(Direction::Down));
        assert_eq!(verb_sense("cutting").and_then(|s| s.direction), Some(Direction::Down));
        assert_eq!(verb_sense("dropped").and_then(|s| s.direction), Some(Direction::Down));
        assert!(verb_sense("stays").is_some_and(|s| s.keeps));
        assert_eq!(verb_sense("tickets"), None);
    }

    #[test]
    fn a_doubled_multi_byte_character_does_not_split() {
        // U+0820 ends in two equal bytes; a byte-wise "doubled consonant" would cut it.
        assert_eq!(verb_sense("\u{820}\u{820}ing"), None);
        assert_eq!(verb_sense("\u{820}\u{820}ed"), None);
    }
}
