//! Formula KPIs (issue 20): a KPI defined from others, `orders * average-order-value`.
//!
//! A small hand-written parser reads a formula into an [`Expr`]: numbers, KPI names
//! (their slugs; `_` may stand for `-`, so `average_order_value` names
//! `average-order-value`), `+ - * /`, unary minus and parentheses. A `-` between two
//! letters or digits belongs to the name, so subtraction is written with a space
//! before or after it (`orders - returns`). Errors are data ([`FormulaError`]): the
//! column (1-based, in characters) and the reason.
//!
//! Units are checked by a small dimensional algebra ([`Unit`]): `+` and `-` need equal
//! units (EUR + USD and % + ms are refused), `*` and `/` combine them (count × EUR =
//! EUR; EUR / EUR is a plain number). A plain number in a formula takes the unit of
//! what it is added to, so `uptime - 1` is fine. Units `count`, `#`, `x` and no unit
//! are plain numbers; any other unit is a symbol of its own, and `A/B` divides two.
//!
//! Evaluation is in `f64`; a division by zero or a result that is not finite is an
//! [`EvalError`], never a NaN.

pub mod period;

use std::collections::BTreeMap;
use std::fmt;

/// The longest formula accepted, in characters.
pub const MAX_FORMULA_CHARS: usize = 1_000;
/// The deepest nesting of parentheses and unary minus accepted.
pub const MAX_DEPTH: usize = 32;

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl Op {
    fn symbol(self) -> char {
        match self {
            Op::Add => '+',
            Op::Sub => '-',
            Op::Mul => '*',
            Op::Div => '/',
        }
    }
}

/// A parsed formula expression. `column`s are 1-based character positions.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A number written in the formula.
    Number(f64),
    /// A KPI, by slug.
    Kpi {
        /// Its slug (with `_` read as `-`).
        slug: String,
        /// Where it is written.
        column: usize,
    },
    /// `-x`.
    Negate(Box<Expr>),
    /// `left op right`.
    Binary {
        /// The operator.
        op: Op,
        /// Where the operator is written.
        column: usize,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
}

/// Why a formula cannot be read: where (1-based column, in characters) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormulaError {
    /// The column at fault (1 is the first character).
    pub column: usize,
    /// What is wrong there, in a sentence.
    pub reason: String,
}

impl fmt::Display for FormulaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.reason)
    }
}

impl std::error::Error for FormulaError {}

/// A formula, read and checked for its shape (not yet for its names or units).
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    text: String,
    expr: Expr,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Token {
    Number(f64),
    Name,
    Op(Op),
    Open,
    Close,
    End,
}

struct Parser<'a> {
    chars: Vec<char>,
    text: &'a str,
    /// Index in `chars` of the next character.
    at: usize,
    /// The current token, its start (index in `chars`) and, for a name, its text.
    token: Token,
    start: usize,
    name: String,
    depth: usize,
}

fn describe(c: char) -> String {
    if c.is_control() { format!("{:?}", c) } else { format!("'{c}'") }
}

impl<'a> Parser<'a> {
    fn error<T>(&self, index: usize, reason: impl Into<String>) -> Result<T, FormulaError> {
        Err(FormulaError { column: index + 1, reason: reason.into() })
    }

    fn found(&self) -> String {
        match self.token {
            Token::End => "the end of the formula".to_owned(),
            Token::Name => format!("the name {:?}", self.name),
            Token::Number(_) => "a number".to_owned(),
            Token::Op(op) => format!("'{}'", op.symbol()),
            Token::Open => "'('".to_owned(),
            Token::Close => "')'".to_owned(),
        }
    }

    fn next(&mut self) -> Result<(), FormulaError> {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
        self.start = self.at;
        let Some(&c) = self.chars.get(self.at) else {
            self.token = Token::End;
            return Ok(());
        };
        self.token = match c {
            '+' => Token::Op(Op::Add),
            '-' | '−' => Token::Op(Op::Sub),
            '*' | '×' => Token::Op(Op::Mul),
            '/' | '÷' => Token::Op(Op::Div),
            '(' => Token::Open,
            ')' => Token::Close,
            '0'..='9' | '.' => return self.number(),
            'a'..='z' | '_' => return self.read_name(),
            'A'..='Z' => {
                return self.error(self.at, "KPI names are their slugs, in lower case");
            }
            other => return self.error(self.at, format!("unexpected character {}", describe(other))),
        };
        self.at += 1;
        Ok(())
    }

    fn number(&mut self) -> Result<(), FormulaError> {
        let start = self.at;
        let mut end = start;
        while self.chars.get(end).is_some_and(|c| c.is_ascii_digit() || *c == '.') {
            end += 1;
        }
        // An exponent: 1e6, 2.5E-3.
        if self.chars.get(end).is_some_and(|c| *c == 'e' || *c == 'E') {
            let mut exponent = end + 1;
            if self.chars.get(exponent).is_some_and(|c| *c == '+' || *c == '-') {
                exponent += 1;
            }
            if self.chars.get(exponent).is_some_and(char::is_ascii_digit) {
                end = exponent;
                while self.chars.get(end).is_some_and(char::is_ascii_digit) {
                    end += 1;
                }
            }
        }
        let text: String = self.chars[start..end].iter().collect();
        let Ok(value) = text.parse::<f64>() else {
            return self.error(start, format!("{text:?} is not a number"));
        };
        if !value.is_finite() {
            return self.error(start, format!("the number {text} is too large"));
        }
        if self.chars.get(end).is_some_and(|c| c.is_ascii_alphabetic() || *c == '_') {
            return self.error(end, "a name cannot start right after a number: put an operator between them");
        }
        self.at = end;
        self.token = Token::Number(value);
        Ok(())
    }

    fn read_name(&mut self) -> Result<(), FormulaError> {
        let start = self.at;
        let mut end = start;
        while self
            .chars
            .get(end)
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_')
        {
            end += 1;
        }
        // A trailing `-` is subtraction, not part of the name: `orders- returns`.
        while end > start && self.chars[end - 1] == '-' {
            end -= 1;
        }
        if self.chars.get(end).is_some_and(char::is_ascii_uppercase) {
            return self.error(end, "KPI names are their slugs, in lower case");
        }
        let name: String = self.chars[start..end].iter().map(|c| if *c == '_' { '-' } else { *c }).collect();
        if name.starts_with('-') || name.chars().all(|c| c == '-') {
            return self.error(start, "a KPI name starts with a letter");
        }
        self.at = end;
        self.name = name;
        self.token = Token::Name;
        Ok(())
    }

    fn deeper(&mut self) -> Result<(), FormulaError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error(self.start, format!("the formula nests deeper than {MAX_DEPTH} levels"));
        }
        Ok(())
    }

    /// sum := product (('+' | '-') product)*
    fn sum(&mut self) -> Result<Expr, FormulaError> {
        let mut left = self.product()?;
        while let Token::Op(op @ (Op::Add | Op::Sub)) = self.token {
            let column = self.start + 1;
            self.next()?;
            let right = self.product()?;
            left = Expr::Binary { op, column, left: Box::new(left), right: Box::new(right) };
        }
        Ok(left)
    }

    /// product := unary (('*' | '/') unary)*
    fn product(&mut self) -> Result<Expr, FormulaError> {
        let mut left = self.unary()?;
        while let Token::Op(op @ (Op::Mul | Op::Div)) = self.token {
            let column = self.start + 1;
            self.next()?;
            let right = self.unary()?;
            if op == Op::Div && constant(&right) == Some(0.0) {
                return Err(FormulaError { column, reason: "division by zero".to_owned() });
            }
            left = Expr::Binary { op, column, left: Box::new(left), right: Box::new(right) };
        }
        Ok(left)
    }

    /// unary := '-' unary | '+' unary | atom
    fn unary(&mut self) -> Result<Expr, FormulaError> {
        match self.token {
            Token::Op(op @ (Op::Sub | Op::Add)) => {
                self.deeper()?;
                self.next()?;
                let inner = self.unary()?;
                self.depth -= 1;
                Ok(if op == Op::Sub { Expr::Negate(Box::new(inner)) } else { inner })
            }
            _ => self.atom(),
        }
    }

    /// atom := number | name | '(' sum ')'
    fn atom(&mut self) -> Result<Expr, FormulaError> {
        match self.token {
            Token::Number(value) => {
                self.next()?;
                Ok(Expr::Number(value))
            }
            Token::Name => {
                let expr = Expr::Kpi { slug: std::mem::take(&mut self.name), column: self.start + 1 };
                self.next()?;
                Ok(expr)
            }
            Token::Open => {
                let open = self.start;
                self.deeper()?;
                self.next()?;
                let inner = self.sum()?;
                if self.token != Token::Close {
                    if self.token == Token::End {
                        return self.error(self.start, format!("unclosed parenthesis opened at column {}", open + 1));
                    }
                    return self.error(self.start, format!("expected an operator or ')', found {}", self.found()));
                }
                self.depth -= 1;
                self.next()?;
                Ok(inner)
            }
            _ => self.error(self.start, format!("expected a KPI name or number, found {}", self.found())),
        }
    }
}

/// The value of an expression that names no KPI, if it can be computed.
fn constant(expr: &Expr) -> Option<f64> {
    match expr {
        Expr::Number(value) => Some(*value),
        Expr::Kpi { .. } => None,
        Expr::Negate(inner) => constant(inner).map(|v| -v),
        Expr::Binary { op, left, right, .. } => {
            let (left, right) = (constant(left)?, constant(right)?);
            let value = match op {
                Op::Add => left + right,
                Op::Sub => left - right,
                Op::Mul => left * right,
                Op::Div => left / right,
            };
            value.is_finite().then_some(value)
        }
    }
}

impl Formula {
    /// Reads a formula. Every error names its column and reason.
    pub fn parse(text: &str) -> Result<Formula, FormulaError> {
        let chars: Vec<char> = text.chars().collect();
        if chars.len() > MAX_FORMULA_CHARS {
            return Err(FormulaError {
                column: MAX_FORMULA_CHARS + 1,
                reason: format!("a formula has at most {MAX_FORMULA_CHARS} characters"),
            });
        }
        let mut parser = Parser { chars, text, at: 0, token: Token::End, start: 0, name: String::new(), depth: 0 };
        parser.next()?;
        if parser.token == Token::End {
            return Err(FormulaError {
                column: 1,
                reason: "the formula is empty: write KPI names and numbers joined by + - * /".to_owned(),
            });
        }
        let expr = parser.sum()?;
        match parser.token {
            Token::End => {}
            Token::Close => return parser.error(parser.start, "')' closes nothing"),
            _ => {
                return parser.error(parser.start, format!("expected an operator (+ - * /), found {}", parser.found()));
            }
        }
        let formula = Formula { text: parser.text.trim().to_owned(), expr };
        if formula.inputs().is_empty() {
            return Err(FormulaError { column: 1, reason: "a formula names at least one KPI".to_owned() });
        }
        Ok(formula)
    }

    /// The formula as written (trimmed).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The parsed expression.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// The KPIs it reads, each once, in the order first written.
    pub fn inputs(&self) -> Vec<&str> {
        fn walk<'e>(expr: &'e Expr, out: &mut Vec<&'e str>) {
            match expr {
                Expr::Number(_) => {}
                Expr::Kpi { slug, .. } => {
                    if !out.contains(&slug.as_str()) {
                        out.push(slug);
                    }
                }
                Expr::Negate(inner) => walk(inner, out),
                Expr::Binary { left, right, .. } => {
                    walk(left, out);
                    walk(right, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.expr, &mut out);
        out
    }

    /// Where each input is first written (1-based column), for errors about a name.
    pub fn column_of(&self, slug: &str) -> usize {
        fn walk(expr: &Expr, slug: &str) -> Option<usize> {
            match expr {
                Expr::Number(_) => None,
                Expr::Kpi { slug: s, column } => (s == slug).then_some(*column),
                Expr::Negate(inner) => walk(inner, slug),
                Expr::Binary { left, right, .. } => walk(left, slug).or_else(|| walk(right, slug)),
            }
        }
        walk(&self.expr, slug).unwrap_or(1)
    }

    /// Computes the formula from its inputs' values.
    pub fn evaluate(&self, value_of: &dyn Fn(&str) -> Option<f64>) -> Result<f64, EvalError> {
        let value = evaluate(&self.expr, value_of)?;
        if value.is_finite() { Ok(value) } else { Err(EvalError::NotFinite) }
    }

    /// The unit of the formula's result from its inputs' units, or why they do not mix.
    pub fn unit(&self, unit_of: &dyn Fn(&str) -> Unit) -> Result<Unit, UnitError> {
        Ok(unit(&self.expr, unit_of)?.unwrap_or_default())
    }

    /// How much of the change of the formula from `before` to `after` each input
    /// explains on its own: the formula with every input at its `before` value but this
    /// one at its `after` value, minus the formula at `before`. Inputs missing from
    /// either side, or whose replacement cannot be computed, are left out.
    pub fn effects(
        &self,
        before: &dyn Fn(&str) -> Option<f64>,
        after: &dyn Fn(&str) -> Option<f64>,
    ) -> Vec<(String, f64)> {
        let Ok(base) = self.evaluate(before) else { return Vec::new() };
        self.inputs()
            .into_iter()
            .filter_map(|input| {
                let replaced = |slug: &str| if slug == input { after(slug) } else { before(slug) };
                let value = self.evaluate(&replaced).ok()?;
                Some((input.to_owned(), value - base))
            })
            .collect()
    }
}

impl fmt::Display for Formula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Why a formula gave no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    /// An input has no value.
    Missing(String),
    /// A division by zero, at this column.
    DivisionByZero(usize),
    /// The result is too large to be a number.
    NotFinite,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::Missing(slug) => write!(f, "{slug} has no value in this period"),
            EvalError::DivisionByZero(column) => write!(f, "division by zero (column {column})"),
            EvalError::NotFinite => f.write_str("the result is too large to be a number"),
        }
    }
}

fn evaluate(expr: &Expr, value_of: &dyn Fn(&str) -> Option<f64>) -> Result<f64, EvalError> {
    match expr {
        Expr::Number(value) => Ok(*value),
        Expr::Kpi { slug, .. } => value_of(slug).ok_or_else(|| EvalError::Missing(slug.clone())),
        Expr::Negate(inner) => Ok(-evaluate(inner, value_of)?),
        Expr::Binary { op, column, left, right } => {
            let (left, right) = (evaluate(left, value_of)?, evaluate(right, value_of)?);
            let value = match op {
                Op::Add => left + right,
                Op::Sub => left - right,
                Op::Mul => left * right,
                Op::Div if right == 0.0 => return Err(EvalError::DivisionByZero(*column)),
                Op::Div => left / right,
            };
            if value.is_finite() { Ok(value) } else { Err(EvalError::NotFinite) }
        }
    }
}

/// A unit as a product of symbols with integer powers: `EUR`, `EUR/ms`. The empty
/// product is a plain number.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Unit {
    powers: BTreeMap<String, i32>,
}

/// Units that are plain numbers.
const PLAIN: [&str; 4] = ["count", "#", "x", "number"];

impl Unit {
    /// A plain number.
    pub fn plain() -> Unit {
        Unit::default()
    }

    /// Reads a KPI's unit: none, `count`, `#` or `x` is a plain number; `A/B` is A
    /// divided by B; anything else is one symbol.
    pub fn of(text: Option<&str>) -> Unit {
        let text = text.map(str::trim).unwrap_or_default();
        let mut unit = Unit::plain();
        let (top, bottom) = match text.split_once('/') {
            Some((top, bottom)) => (top.trim(), Some(bottom.trim())),
            None => (text, None),
        };
        unit.add(top, 1);
        if let Some(bottom) = bottom {
            unit.add(bottom, -1);
        }
        unit
    }

    fn add(&mut self, symbol: &str, power: i32) {
        if symbol.is_empty() || PLAIN.contains(&symbol) {
            return;
        }
        let entry = self.powers.entry(symbol.to_owned()).or_insert(0);
        *entry = entry.saturating_add(power);
        if *entry == 0 {
            self.powers.remove(symbol);
        }
    }

    /// Whether it is a plain number.
    pub fn is_plain(&self) -> bool {
        self.powers.is_empty()
    }

    /// The product of two units.
    pub fn times(&self, other: &Unit) -> Unit {
        let mut out = self.clone();
        for (symbol, power) in &other.powers {
            out.add(symbol, *power);
        }
        out
    }

    /// The quotient of two units.
    pub fn divided_by(&self, other: &Unit) -> Unit {
        let mut out = self.clone();
        for (symbol, power) in &other.powers {
            out.add(symbol, power.saturating_neg());
        }
        out
    }

    /// Whether a formula giving `self` may feed a KPI declared in `declared`: the same
    /// unit, or a plain number for a KPI in `%` (a ratio the formula scales itself,
    /// `100 * a / b`).
    pub fn fits(&self, declared: &Unit) -> bool {
        self == declared || (self.is_plain() && declared.powers.len() == 1 && declared.powers.get("%") == Some(&1))
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_plain() {
            return f.write_str("a plain number");
        }
        let part = |positive: bool| {
            self.powers
                .iter()
                .filter(|(_, p)| (**p > 0) == positive)
                .map(|(s, p)| if p.abs() == 1 { s.clone() } else { format!("{s}^{}", p.abs()) })
                .collect::<Vec<_>>()
                .join("·")
        };
        let (top, bottom) = (part(true), part(false));
        match (top.is_empty(), bottom.is_empty()) {
            (_, true) => f.write_str(&top),
            (true, false) => write!(f, "1/{bottom}"),
            (false, false) => write!(f, "{top}/{bottom}"),
        }
    }
}

/// Why the units of a formula do not mix: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitError {
    /// The column of the operator at fault.
    pub column: usize,
    /// The reason, naming both units.
    pub reason: String,
}

impl fmt::Display for UnitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.reason)
    }
}

/// The unit of `expr`; `None` for an expression with no KPI in it, which takes the
/// unit of what it is added to.
fn unit(expr: &Expr, unit_of: &dyn Fn(&str) -> Unit) -> Result<Option<Unit>, UnitError> {
    match expr {
        Expr::Number(_) => Ok(None),
        Expr::Kpi { slug, .. } => Ok(Some(unit_of(slug))),
        Expr::Negate(inner) => unit(inner, unit_of),
        Expr::Binary { op, column, left, right } => {
            let (left, right) = (unit(left, unit_of)?, unit(right, unit_of)?);
            match op {
                Op::Add | Op::Sub => match (left, right) {
                    (Some(left), Some(right)) if left != right => Err(UnitError {
                        column: *column,
                        reason: format!(
                            "cannot {} {right} {} {left}: both sides need the same unit",
                            if *op == Op::Add { "add" } else { "subtract" },
                            if *op == Op::Add { "to" } else { "from" },
                        ),
                    }),
                    (left, right) => Ok(left.or(right)),
                },
                Op::Mul | Op::Div => match (left, right) {
                    (None, None) => Ok(None),
                    (left, right) => {
                        let (left, right) = (left.unwrap_or_default(), right.unwrap_or_default());
                        Ok(Some(if *op == Op::Mul { left.times(&right) } else { left.divided_by(&right) }))
                    }
                },
            }
        }
    }
}

#[cfg(test)]
mod tests;
