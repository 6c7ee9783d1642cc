//! The query language, parsed into its parts and the tree that combines them.
//!
//! Words are ANDed, Chinese with or without spaces; `"quoted phrases"` match
//! in order; `+word` is required and `-word` excluded. The upper-case words
//! `OR` (or `|`), `AND` (the default, so only a separator) and `NOT` (`NOT
//! word` = `-word`) are operators, and round brackets group: `(积分制 OR
//! 清单制) 昌江`, `-(光伏 扶贫)`. `OR` binds its neighbours more tightly than
//! the ANDed sequence, so `光伏 OR 电商 扶贫` is `(光伏 OR 电商) 扶贫`. Quoted
//! (`"OR"`) or lower-case, operators are words to search for.

use crate::error::{Error, Result};

/// Longest query accepted, in chars.
pub const MAX_QUERY_CHARS: usize = 1000;

/// How a part of the query must occur.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartOccur {
    /// Must match (plain words and `+word`), alone or as one of its alternatives.
    Required,
    /// Must not match (`-word`, `NOT word`, a word inside `-( … )`).
    Excluded,
}

/// One word or phrase of a parsed query.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The part as typed (quotes and sign removed).
    pub text: String,
    /// A quoted phrase.
    pub phrase: bool,
    /// Required, or excluded by a sign, `NOT` or an excluded group around it.
    pub occur: PartOccur,
}

/// How the parts of a query combine, by index into [`ParsedQuery::parts`].
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// One part.
    Part(usize),
    /// Every child must match: words side by side, `AND`, a bracketed group.
    All(Vec<Node>),
    /// One child at least must match: `A OR B`.
    Any(Vec<Node>),
    /// The child must not match: `-word`, `NOT word`, `-( … )`.
    Not(Box<Node>),
}

impl Default for Node {
    fn default() -> Node {
        Node::All(Vec::new())
    }
}

/// A parsed query: its words and phrases, and the tree that combines them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedQuery {
    /// Every word or phrase part, in the order typed.
    pub parts: Vec<Part>,
    /// How the parts combine; the root is an [`Node::All`] (its groups
    /// without operators spliced into it) unless the query is one part or
    /// one `OR` group.
    pub tree: Node,
}

impl ParsedQuery {
    /// The root's children: the clauses every match must satisfy (or, when
    /// excluded, must not).
    pub fn clauses(&self) -> &[Node] {
        match &self.tree {
            Node::All(children) => children,
            other => std::slice::from_ref(other),
        }
    }

    /// Whether a node can be matched, not only excluded.
    fn positive(&self, node: &Node) -> bool {
        match node {
            Node::Part(i) => self.parts[*i].occur == PartOccur::Required,
            Node::All(children) => children.iter().any(|c| self.positive(c)),
            Node::Any(children) => children.iter().all(|c| self.positive(c)),
            Node::Not(_) => false,
        }
    }

    /// Mark every part under `node` excluded.
    fn exclude(&mut self, node: &Node) {
        match node {
            Node::Part(i) => self.parts[*i].occur = PartOccur::Excluded,
            Node::All(children) | Node::Any(children) => {
                children.iter().for_each(|c| self.exclude(c))
            }
            Node::Not(child) => self.exclude(child),
        }
    }
}

/// An operator word between the parts of a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    /// `AND`: parts are ANDed anyway; it only has to stand between two.
    And,
    /// `OR` or `|`: the parts on either side are alternatives.
    Or,
    /// `NOT`: the next part or group is excluded.
    Not,
}

impl Operator {
    /// The operator an unquoted, unsigned word of the query stands for.
    fn of(word: &str) -> Option<Operator> {
        match word {
            "AND" | "&&" => Some(Operator::And),
            "OR" | "|" | "||" => Some(Operator::Or),
            "NOT" => Some(Operator::Not),
            _ => None,
        }
    }

    /// The operator as written in queries.
    fn name(self) -> &'static str {
        match self {
            Operator::And => "AND",
            Operator::Or => "OR",
            Operator::Not => "NOT",
        }
    }
}

/// One lexical token of a query.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A word or quoted phrase, with its sign.
    Word {
        text: String,
        phrase: bool,
        excluded: bool,
    },
    /// `(`, with its sign.
    Open { excluded: bool },
    /// `)`.
    Close,
    /// `AND`, `OR`, `NOT`.
    Operator(Operator),
}

/// Whether `c` opens or closes a quoted phrase.
fn is_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '＂')
}

/// Split a query into tokens. Errors on an unclosed quote.
fn lex(query: &str) -> Result<Vec<Token>> {
    let mut out = Vec::new();
    let mut chars = query.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == ')' {
            chars.next();
            out.push(Token::Close);
            continue;
        }
        let sign = match c {
            '-' | '－' => Some(true),
            '+' | '＋' => Some(false),
            _ => None,
        };
        if sign.is_some() {
            chars.next();
        }
        let excluded = sign == Some(true);
        if chars.peek() == Some(&'(') {
            chars.next();
            out.push(Token::Open { excluded });
            continue;
        }
        let phrase = chars.peek().is_some_and(|&c| is_quote(c));
        let mut text = String::new();
        if phrase {
            chars.next();
            let mut closed = false;
            for c in chars.by_ref() {
                if is_quote(c) {
                    closed = true;
                    break;
                }
                text.push(c);
            }
            if !closed {
                return Err(Error::Input(format!("unclosed quote in query: {query}")));
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '(' || c == ')' {
                    break;
                }
                text.push(c);
                chars.next();
            }
        }
        let text = text.trim().to_string();
        if text.is_empty() {
            continue;
        }
        match Operator::of(&text).filter(|_| sign.is_none() && !phrase) {
            Some(op) => out.push(Token::Operator(op)),
            None => out.push(Token::Word {
                text,
                phrase,
                excluded,
            }),
        }
    }
    Ok(out)
}

/// Recursive descent over the tokens of one query.
struct Parser<'a> {
    query: &'a str,
    tokens: Vec<Token>,
    at: usize,
    parsed: ParsedQuery,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    /// Whether the next token starts a part or group (`NOT` included when `not`).
    fn starts_unit(&self, not: bool) -> bool {
        match self.peek() {
            Some(Token::Word { .. } | Token::Open { .. }) => true,
            Some(Token::Operator(Operator::Not)) => not,
            _ => false,
        }
    }

    fn misplaced(&self, op: Operator) -> Error {
        let place = match op {
            Operator::Not => "be followed by a word, phrase or bracketed group to exclude",
            _ => "stand between two words, phrases or bracketed groups to search for",
        };
        let name = op.name();
        Error::Input(format!(
            "`{name}` in query `{}` must {place}; quote it (\"{name}\") to search for the word",
            self.query
        ))
    }

    fn unmatched(&self, bracket: char) -> Error {
        Error::Input(format!(
            "unmatched `{bracket}` in query `{}`; quote it to search for the text",
            self.query
        ))
    }

    /// Units side by side or joined by `AND`, up to the end or (in a group)
    /// its `)`; groups without operators are spliced in.
    fn sequence(&mut self, in_group: bool) -> Result<Node> {
        let mut items: Vec<Node> = Vec::new();
        while let Some(token) = self.peek() {
            match token {
                Token::Close if in_group => break,
                Token::Close => return Err(self.unmatched(')')),
                Token::Operator(Operator::And) => {
                    self.at += 1;
                    if items.is_empty() || !self.starts_unit(true) {
                        return Err(self.misplaced(Operator::And));
                    }
                }
                Token::Operator(Operator::Or) => return Err(self.misplaced(Operator::Or)),
                _ => match self.alternatives()? {
                    Node::All(children) => items.extend(children),
                    other => items.push(other),
                },
            }
        }
        Ok(match items.len() {
            1 => items.remove(0),
            _ => Node::All(items),
        })
    }

    /// A unit, or units joined by `OR`, each of which must be matchable.
    fn alternatives(&mut self) -> Result<Node> {
        let mut alternatives = vec![self.unit()?];
        while self.peek() == Some(&Token::Operator(Operator::Or)) {
            self.at += 1;
            if !self.starts_unit(false) {
                return Err(self.misplaced(Operator::Or));
            }
            alternatives.push(self.unit()?);
        }
        if alternatives.len() == 1 {
            return Ok(alternatives.remove(0));
        }
        if !alternatives.iter().all(|a| self.parsed.positive(a)) {
            return Err(self.misplaced(Operator::Or));
        }
        Ok(Node::Any(alternatives))
    }

    /// A word, a phrase or a bracketed group, with its sign or `NOT`.
    fn unit(&mut self) -> Result<Node> {
        let Some(token) = self.tokens.get(self.at).cloned() else {
            return Err(Error::Input(format!(
                "query `{}` ends where a word was expected",
                self.query
            )));
        };
        self.at += 1;
        match token {
            Token::Operator(Operator::Not) => {
                if !self.starts_unit(false) {
                    return Err(self.misplaced(Operator::Not));
                }
                let inner = self.unit()?;
                self.excluded(inner)
            }
            Token::Word {
                text,
                phrase,
                excluded,
            } => {
                self.parsed.parts.push(Part {
                    text,
                    phrase,
                    occur: PartOccur::Required,
                });
                let node = Node::Part(self.parsed.parts.len() - 1);
                if excluded {
                    self.excluded(node)
                } else {
                    Ok(node)
                }
            }
            Token::Open { excluded } => {
                let inner = self.sequence(true)?;
                if self.peek() != Some(&Token::Close) {
                    return Err(self.unmatched('('));
                }
                self.at += 1;
                if inner == Node::All(Vec::new()) {
                    return Err(Error::Input(format!(
                        "empty brackets in query `{}`: put words inside or leave them out",
                        self.query
                    )));
                }
                if excluded {
                    self.excluded(inner)
                } else {
                    Ok(inner)
                }
            }
            Token::Close => Err(self.unmatched(')')),
            Token::Operator(op) => Err(self.misplaced(op)),
        }
    }

    /// `node` negated, its parts marked excluded; a negation negated again
    /// (`NOT -光伏`, `-(-光伏)`) is an error, not a roundabout `+`.
    fn excluded(&mut self, node: Node) -> Result<Node> {
        if matches!(node, Node::Not(_)) {
            return Err(Error::Input(format!(
                "query `{}` excludes an exclusion; exclude a word once (`-word` or `NOT word`)",
                self.query
            )));
        }
        self.parsed.exclude(&node);
        Ok(Node::Not(Box::new(node)))
    }
}

/// Parse a query. Errors on an empty or over-long query, an unclosed quote,
/// an unmatched bracket and an operator without parts to apply to.
pub fn parse(query: &str) -> Result<ParsedQuery> {
    let n = query.chars().count();
    if n > MAX_QUERY_CHARS {
        return Err(Error::Input(format!(
            "query is {n} characters long; the limit is {MAX_QUERY_CHARS}"
        )));
    }
    let mut parser = Parser {
        query,
        tokens: lex(query)?,
        at: 0,
        parsed: ParsedQuery::default(),
    };
    let tree = parser.sequence(false)?;
    let mut parsed = parser.parsed;
    if !parsed.positive(&tree) {
        return Err(Error::Input(
            "empty query: give at least one word to search for".into(),
        ));
    }
    parsed.tree = tree;
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Count how often the tree refers to each part.
    fn count_refs(node: &Node, seen: &mut [usize]) {
        match node {
            Node::Part(i) => seen[*i] += 1,
            Node::All(children) | Node::Any(children) => {
                children.iter().for_each(|c| count_refs(c, seen))
            }
            Node::Not(child) => count_refs(child, seen),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

        /// Any mix of words, operators, signs, brackets and quotes parses
        /// into a matchable tree using each part once, or is an input error.
        #[test]
        fn any_token_soup_parses_or_fails_cleanly(
            pieces in prop::collection::vec(prop::sample::select(vec![
                "积分制", "光伏", "OR", "AND", "NOT", "|", "or", "(", ")", "-", "+", "\"", "-(", "NOT(", "（", "）",
            ]), 0..14),
            spaced in any::<bool>(),
        ) {
            let q = pieces.join(if spaced { " " } else { "" });
            match parse(&q) {
                Ok(p) => {
                    let mut seen = vec![0; p.parts.len()];
                    count_refs(&p.tree, &mut seen);
                    prop_assert!(seen.iter().all(|&n| n == 1), "{:?} → {:?}", q, p);
                    prop_assert!(p.positive(&p.tree), "{:?}", q);
                }
                Err(e) => prop_assert!(matches!(e, Error::Input(_)), "{:?}: {}", q, e),
            }
        }
    }

    /// The parts as (text, occur) pairs.
    fn parts(p: &ParsedQuery) -> Vec<(&str, PartOccur)> {
        p.parts.iter().map(|p| (p.text.as_str(), p.occur)).collect()
    }

    #[test]
    fn parses_phrases_signs_and_spaces() {
        let p = parse(r#"驻村工作队 "乡村振兴" -光伏 +医保"#).unwrap();
        assert_eq!(p.parts.len(), 4);
        assert_eq!(p.parts[0].text, "驻村工作队");
        assert!(p.parts[1].phrase && p.parts[1].text == "乡村振兴");
        assert_eq!(p.parts[2].occur, PartOccur::Excluded);
        assert_eq!(p.parts[3].occur, PartOccur::Required);
        assert_eq!(
            p.tree,
            Node::All(vec![
                Node::Part(0),
                Node::Part(1),
                Node::Not(Box::new(Node::Part(2))),
                Node::Part(3),
            ])
        );
        let cn = parse("“巩固拓展脱贫攻坚成果”").unwrap();
        assert!(cn.parts[0].phrase && cn.parts[0].text == "巩固拓展脱贫攻坚成果");
        assert_eq!(cn.tree, Node::Part(0));
    }

    #[test]
    fn or_binds_its_neighbours_and_not_excludes() {
        let p = parse("积分制 OR 清单制 | \"红黑榜\" AND 昌江 NOT 光伏").unwrap();
        assert_eq!(
            p.tree,
            Node::All(vec![
                Node::Any(vec![Node::Part(0), Node::Part(1), Node::Part(2)]),
                Node::Part(3),
                Node::Not(Box::new(Node::Part(4))),
            ])
        );
        assert_eq!(parts(&p)[4], ("光伏", PartOccur::Excluded));
        let words = parse("\"OR\" or +AND").unwrap();
        assert_eq!(
            parts(&words),
            [
                ("OR", PartOccur::Required),
                ("or", PartOccur::Required),
                ("AND", PartOccur::Required),
            ]
        );
    }

    #[test]
    fn brackets_group_and_groups_without_operators_splice() {
        let p = parse("(积分制 清单制) OR 光伏 昌江").unwrap();
        assert_eq!(
            p.tree,
            Node::All(vec![
                Node::Any(vec![
                    Node::All(vec![Node::Part(0), Node::Part(1)]),
                    Node::Part(2),
                ]),
                Node::Part(3),
            ])
        );
        let plain = parse("乡村振兴(试点) 昌江").unwrap();
        assert_eq!(
            plain.tree,
            Node::All(vec![Node::Part(0), Node::Part(1), Node::Part(2)])
        );
        let not = parse("积分制 -(光伏 扶贫) NOT (电商 OR 橡胶)").unwrap();
        assert_eq!(
            parts(&not),
            [
                ("积分制", PartOccur::Required),
                ("光伏", PartOccur::Excluded),
                ("扶贫", PartOccur::Excluded),
                ("电商", PartOccur::Excluded),
                ("橡胶", PartOccur::Excluded),
            ]
        );
        assert_eq!(not.clauses().len(), 3);
        // Full-width brackets are text, as in titles (`实施方案（试行）`).
        assert_eq!(parse("实施方案（试行").unwrap().tree, Node::Part(0));
    }

    #[test]
    fn misplaced_operators_and_brackets_are_errors_that_say_so() {
        for q in [
            "OR 积分制",
            "积分制 OR",
            "AND 积分制",
            "积分制 AND",
            "积分制 NOT",
            "积分制 OR OR 清单制",
            "积分制 OR NOT 光伏",
            "积分制 OR -光伏",
            "-光伏 OR 积分制",
            "积分制 OR -(光伏 扶贫)",
            "(积分制 OR) 光伏",
        ] {
            let err = parse(q).unwrap_err().to_string();
            assert!(
                err.contains("must ") && err.contains("quote it"),
                "{q}: {err}"
            );
        }
        for q in [
            "(积分制 光伏",
            "积分制) 光伏",
            "积分制 ()",
            "-(光伏 扶贫)",
            "积分制 NOT -光伏",
            "积分制 -(-光伏)",
        ] {
            assert!(parse(q).is_err(), "{q}");
        }
    }

    #[test]
    fn rejects_bad_queries() {
        assert!(parse("").is_err());
        assert!(parse("   ").is_err());
        assert!(parse("-光伏").is_err());
        assert!(parse("\"未闭合").is_err());
        assert!(parse(&"字".repeat(MAX_QUERY_CHARS + 1)).is_err());
    }
}
