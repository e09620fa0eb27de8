//! SCIM filters (RFC 7644 §3.4.2.2): parsed into a tree, so the store can turn the parts it
//! supports into SQL and refuse the rest by name.
//!
//! Attribute names and operators are case-insensitive; values are JSON literals (strings with
//! escapes, numbers, `true`, `false`, `null`).

use serde_json::Value;

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `attr op value`, or `attr pr` (then `value` is `Value::Null`).
    Compare {
        /// The attribute path as written, e.g. `userName`, `name.familyName`.
        attr: String,
        op: Op,
        value: Value,
    },
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
    Pr,
}

impl Op {
    fn parse(word: &str) -> Option<Self> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => Self::Eq,
            "ne" => Self::Ne,
            "co" => Self::Co,
            "sw" => Self::Sw,
            "ew" => Self::Ew,
            "gt" => Self::Gt,
            "ge" => Self::Ge,
            "lt" => Self::Lt,
            "le" => Self::Le,
            "pr" => Self::Pr,
            _ => return None,
        })
    }
}

/// Why a filter cannot be read, in words for the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FilterError(pub String);

impl Filter {
    /// Each `attr eq value` this filter requires, when it is nothing but such comparisons
    /// joined by `and`; `None` for any other shape.
    pub fn equalities(&self) -> Option<Vec<(&str, &Value)>> {
        match self {
            Self::Compare {
                attr,
                op: Op::Eq,
                value,
            } => Some(vec![(attr.as_str(), value)]),
            Self::And(left, right) => {
                let mut all = left.equalities()?;
                all.extend(right.equalities()?);
                Some(all)
            }
            _ => None,
        }
    }
}

/// Parse a whole filter.
pub fn parse(text: &str) -> Result<Filter, FilterError> {
    let tokens = tokenize(text)?;
    let mut parser = Parser { tokens, at: 0 };
    let filter = parser.or()?;
    match parser.tokens.get(parser.at) {
        None => Ok(filter),
        Some(token) => Err(FilterError(format!(
            "unexpected {} in the filter {text:?}",
            token.describe()
        ))),
    }
}

/// A value filter inside a path, as in `members[value eq "…"]`: the same grammar.
pub fn parse_value_filter(text: &str) -> Result<Filter, FilterError> {
    parse(text)
}

/// Whether `filter` holds for the JSON object `item` (used on the members of a multi-valued
/// attribute in a PATCH path). String comparisons ignore case, except on `value`, which holds
/// ids.
pub fn matches(filter: &Filter, item: &Value) -> bool {
    match filter {
        Filter::And(a, b) => matches(a, item) && matches(b, item),
        Filter::Or(a, b) => matches(a, item) || matches(b, item),
        Filter::Not(a) => !matches(a, item),
        Filter::Compare { attr, op, value } => {
            let found = lookup(item, attr);
            match op {
                Op::Pr => found.is_some_and(|v| !v.is_null()),
                Op::Eq => found.is_some_and(|v| same(attr, v, value)),
                Op::Ne => !found.is_some_and(|v| same(attr, v, value)),
                _ => {
                    let (Some(Value::String(have)), Value::String(want)) = (found, value) else {
                        return false;
                    };
                    let (have, want) = (have.to_lowercase(), want.to_lowercase());
                    match op {
                        Op::Co => have.contains(&want),
                        Op::Sw => have.starts_with(&want),
                        Op::Ew => have.ends_with(&want),
                        Op::Gt => have > want,
                        Op::Ge => have >= want,
                        Op::Lt => have < want,
                        _ => have <= want,
                    }
                }
            }
        }
    }
}

fn lookup<'a>(item: &'a Value, attr: &str) -> Option<&'a Value> {
    let object = item.as_object()?;
    object
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(attr))
        .map(|(_, v)| v)
}

fn same(attr: &str, have: &Value, want: &Value) -> bool {
    match (have, want) {
        (Value::String(a), Value::String(b)) if !attr.eq_ignore_ascii_case("value") => {
            a.eq_ignore_ascii_case(b)
        }
        (Value::Bool(a), Value::String(b)) | (Value::String(b), Value::Bool(a)) => {
            b.eq_ignore_ascii_case(if *a { "true" } else { "false" })
        }
        _ => have == want,
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Literal(Value),
    Open,
    Close,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Self::Word(w) => format!("{w:?}"),
            Self::Literal(v) => v.to_string(),
            Self::Open => "\"(\"".to_owned(),
            Self::Close => "\")\"".to_owned(),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>, FilterError> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            tokens.push(Token::Open);
            i += 1;
        } else if c == ')' {
            tokens.push(Token::Close);
            i += 1;
        } else if c == '"' {
            // A JSON string: read to the closing quote that is not escaped, then let serde
            // decode the escapes.
            let start = i;
            i += 1;
            loop {
                match chars.get(i) {
                    None => {
                        return Err(FilterError(format!(
                            "the string starting at character {} of the filter is not closed",
                            start + 1
                        )));
                    }
                    Some('\\') => i += 2,
                    Some('"') => break,
                    Some(_) => i += 1,
                }
            }
            let literal: String = chars[start..=i].iter().collect();
            let value: String = serde_json::from_str(&literal).map_err(|_| {
                FilterError(format!(
                    "{literal} is not a valid JSON string in the filter"
                ))
            })?;
            tokens.push(Token::Literal(Value::String(value)));
            i += 1;
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && !matches!(chars[i], '(' | ')') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            tokens.push(Token::Word(word));
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn or(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.and()?;
        while self.keyword("or") {
            let right = self.and()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            let right = self.unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, FilterError> {
        if self.keyword("not") {
            return Ok(Filter::Not(Box::new(self.group()?)));
        }
        if self.tokens.get(self.at) == Some(&Token::Open) {
            return self.group();
        }
        self.comparison()
    }

    fn group(&mut self) -> Result<Filter, FilterError> {
        if self.tokens.get(self.at) != Some(&Token::Open) {
            return Err(FilterError("expected \"(\" after \"not\"".to_owned()));
        }
        self.at += 1;
        let inner = self.or()?;
        if self.tokens.get(self.at) != Some(&Token::Close) {
            return Err(FilterError(
                "a \"(\" in the filter is not closed".to_owned(),
            ));
        }
        self.at += 1;
        Ok(inner)
    }

    fn comparison(&mut self) -> Result<Filter, FilterError> {
        let attr = match self.tokens.get(self.at) {
            Some(Token::Word(word)) if is_attribute_path(word) => word.clone(),
            Some(token) => {
                return Err(FilterError(format!(
                    "expected an attribute name, found {}",
                    token.describe()
                )));
            }
            None => return Err(FilterError("the filter ends too early".to_owned())),
        };
        self.at += 1;
        let op = match self.tokens.get(self.at) {
            Some(Token::Word(word)) => Op::parse(word).ok_or_else(|| {
                FilterError(format!(
                    "{word:?} is not a SCIM operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)"
                ))
            })?,
            _ => {
                return Err(FilterError(format!("expected an operator after {attr:?}")));
            }
        };
        self.at += 1;
        if op == Op::Pr {
            return Ok(Filter::Compare {
                attr,
                op,
                value: Value::Null,
            });
        }
        let value = match self.tokens.get(self.at) {
            Some(Token::Literal(value)) => value.clone(),
            Some(Token::Word(word)) => match word.to_ascii_lowercase().as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                _ => serde_json::from_str::<serde_json::Number>(word)
                    .map(Value::Number)
                    .map_err(|_| {
                        FilterError(format!(
                            "{word:?} is not a value: quote strings, as in {attr} eq \"{word}\""
                        ))
                    })?,
            },
            _ => return Err(FilterError(format!("expected a value after {attr:?}"))),
        };
        self.at += 1;
        Ok(Filter::Compare { attr, op, value })
    }

    fn keyword(&mut self, word: &str) -> bool {
        match self.tokens.get(self.at) {
            Some(Token::Word(w)) if w.eq_ignore_ascii_case(word) => {
                self.at += 1;
                true
            }
            _ => false,
        }
    }
}

fn is_attribute_path(word: &str) -> bool {
    word.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '_' | '-' | '$'))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn eq(attr: &str, value: Value) -> Filter {
        Filter::Compare {
            attr: attr.to_owned(),
            op: Op::Eq,
            value,
        }
    }

    #[test]
    fn an_equality_on_a_quoted_string_is_read() {
        assert_eq!(
            parse(r#"userName eq "bjensen@example.com""#).unwrap(),
            eq("userName", json!("bjensen@example.com"))
        );
    }

    #[test]
    fn operators_and_keywords_are_read_in_any_case() {
        let filter = parse(r#"userName EQ "a" AND externalId Eq "b""#).unwrap();
        assert_eq!(
            filter.equalities().unwrap(),
            vec![("userName", &json!("a")), ("externalId", &json!("b"))]
        );
    }

    #[test]
    fn escapes_in_strings_are_decoded_and_spaces_kept() {
        let filter = parse(r#"displayName eq "Sales \"EMEA\" \\ team""#).unwrap();
        assert_eq!(filter, eq("displayName", json!("Sales \"EMEA\" \\ team")));
    }

    #[test]
    fn or_not_and_parentheses_are_read_with_and_binding_tighter() {
        let filter = parse(r#"a eq "1" or b eq "2" and not (c pr)"#).unwrap();
        let Filter::Or(_, right) = filter else {
            panic!("or at the top")
        };
        assert!(matches!(*right, Filter::And(_, _)));
    }

    #[test]
    fn booleans_and_numbers_are_values() {
        assert_eq!(
            parse("active eq true").unwrap(),
            eq("active", Value::Bool(true))
        );
        assert_eq!(parse("n gt 5").unwrap(), {
            Filter::Compare {
                attr: "n".into(),
                op: Op::Gt,
                value: json!(5),
            }
        });
    }

    #[test]
    fn malformed_filters_say_what_is_wrong() {
        for (text, words) in [
            (r#"userName eq "open"#, "not closed"),
            (r#"userName equals "a""#, "not a SCIM operator"),
            ("userName eq bob", "quote strings"),
            (r#"userName eq "a" and"#, "ends too early"),
            (r#"(userName eq "a""#, "not closed"),
            (r#"userName eq "a" "b""#, "unexpected"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.0.contains(words), "{text}: {err}");
        }
    }

    #[test]
    fn a_value_filter_matches_members_by_exact_value() {
        let filter = parse_value_filter(r#"value eq "u-1""#).unwrap();
        assert!(matches(&filter, &json!({"value": "u-1"})));
        assert!(!matches(&filter, &json!({"value": "U-1"})));
        let by_type = parse_value_filter(r#"type eq "WORK""#).unwrap();
        assert!(matches(&by_type, &json!({"type": "work", "value": "x"})));
    }
}
