//! Parses excellent expressions into a tree by precedence climbing. Bounded: nesting deeper
//! than `MAX_DEPTH` is refused, so hostile input cannot exhaust the stack.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::ast::{BinOp, Expr};
use crate::error::ParseError;
use crate::lexer::{tokenize, Token};

/// Deepest nesting of sub-expressions accepted.
pub const MAX_DEPTH: usize = 64;

pub fn parse_expression(src: &str) -> Result<Expr, ParseError> {
    let tokens = tokenize(src)?;
    let mut p = Parser { tokens, pos: 0, depth: 0 };
    let e = p.expression(0)?;
    match p.peek() {
        None => Ok(e),
        Some(t) => Err(ParseError::Syntax(format!("{t:?}"))),
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

fn binary_op(t: &Token) -> Option<(BinOp, u8)> {
    Some(match t {
        Token::Eq => (BinOp::Eq, 1),
        Token::Neq => (BinOp::Neq, 1),
        Token::Lt => (BinOp::Lt, 2),
        Token::Lte => (BinOp::Lte, 2),
        Token::Gt => (BinOp::Gt, 2),
        Token::Gte => (BinOp::Gte, 2),
        Token::Amp => (BinOp::Concat, 3),
        Token::Plus => (BinOp::Add, 4),
        Token::Minus => (BinOp::Sub, 4),
        Token::Times => (BinOp::Mul, 5),
        Token::Divide => (BinOp::Div, 5),
        Token::Exponent => (BinOp::Pow, 6),
        _ => return None,
    })
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_at(&self, n: usize) -> Option<&Token> {
        self.tokens.get(self.pos + n)
    }

    /// Takes the token at the cursor: the cursor never goes back, so it is not needed again.
    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get_mut(self.pos).map(|t| std::mem::replace(t, Token::Comma));
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn expect(&mut self, want: &Token) -> Result<(), ParseError> {
        match self.next() {
            Some(ref t) if t == want => Ok(()),
            Some(t) => Err(ParseError::Syntax(format!("{t:?}"))),
            None => Err(ParseError::UnexpectedEnd),
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::TooDeep);
        }
        Ok(())
    }

    fn expression(&mut self, min_prec: u8) -> Result<Expr, ParseError> {
        self.enter()?;
        let mut left = self.unary()?;
        while let Some((op, prec)) = self.peek().and_then(binary_op) {
            if prec < min_prec {
                break;
            }
            self.pos += 1;
            // All binary operators associate to the left.
            let right = self.expression(prec + 1)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
        self.depth -= 1;
        Ok(left)
    }

    /// Unary minus binds tighter than every binary operator (`-2 ^ 2` is 4), as in the
    /// reference grammar: its operand is another unary or an atom with its postfixes.
    fn unary(&mut self) -> Result<Expr, ParseError> {
        if let Some(Token::Minus) = self.peek() {
            self.pos += 1;
            self.enter()?;
            let operand = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Negate(Box::new(operand)));
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.atom()?;
        // Each postfix nests the tree one level deeper, so it counts against the depth too.
        let depth_before = self.depth;
        loop {
            match self.peek() {
                Some(Token::Dot) => {
                    self.pos += 1;
                    match self.next() {
                        Some(Token::Name(n)) => e = Expr::Property(Box::new(e), n),
                        Some(Token::Number(n)) => e = Expr::Property(Box::new(e), n),
                        Some(t) => return Err(ParseError::Syntax(format!("{t:?}"))),
                        None => return Err(ParseError::UnexpectedEnd),
                    }
                }
                Some(Token::LBrack) => {
                    self.pos += 1;
                    let idx = self.expression(0)?;
                    self.expect(&Token::RBrack)?;
                    e = Expr::Index(Box::new(e), Box::new(idx));
                }
                Some(Token::LParen) => {
                    self.pos += 1;
                    let args = self.arguments()?;
                    e = Expr::Call(Box::new(e), args);
                }
                _ => {
                    self.depth = depth_before;
                    return Ok(e);
                }
            }
            self.enter()?;
        }
    }

    fn arguments(&mut self) -> Result<Vec<Expr>, ParseError> {
        let mut args = Vec::new();
        if let Some(Token::RParen) = self.peek() {
            self.pos += 1;
            return Ok(args);
        }
        loop {
            args.push(self.expression(0)?);
            match self.next() {
                Some(Token::Comma) => continue,
                Some(Token::RParen) => return Ok(args),
                Some(t) => return Err(ParseError::Syntax(format!("{t:?}"))),
                None => return Err(ParseError::UnexpectedEnd),
            }
        }
    }

    /// Whether the tokens at the cursor are `( name, … ) =>`.
    fn at_lambda(&self) -> bool {
        let mut n = 1;
        if let Some(Token::RParen) = self.peek_at(n) {
            return matches!(self.peek_at(n + 1), Some(Token::Arrow));
        }
        loop {
            if !matches!(self.peek_at(n), Some(Token::Name(_))) {
                return false;
            }
            n += 1;
            match self.peek_at(n) {
                Some(Token::Comma) => n += 1,
                Some(Token::RParen) => return matches!(self.peek_at(n + 1), Some(Token::Arrow)),
                _ => return false,
            }
        }
    }

    fn atom(&mut self) -> Result<Expr, ParseError> {
        if let Some(Token::LParen) = self.peek() {
            if self.at_lambda() {
                self.pos += 1;
                let mut params = Vec::new();
                while let Some(Token::Name(n)) = self.peek().cloned() {
                    params.push(n.to_lowercase());
                    self.pos += 1;
                    if let Some(Token::Comma) = self.peek() {
                        self.pos += 1;
                    }
                }
                self.expect(&Token::RParen)?;
                self.expect(&Token::Arrow)?;
                let body = self.expression(0)?;
                return Ok(Expr::Lambda(params, Box::new(body)));
            }
        }
        match self.next() {
            Some(Token::Number(n)) => {
                Decimal::from_str(&n).map(Expr::Number).map_err(|_| ParseError::Syntax(n.clone()))
            }
            Some(Token::Text(s)) => Ok(Expr::Text(s)),
            Some(Token::Name(n)) => {
                let lower = n.to_lowercase();
                Ok(match lower.as_str() {
                    "true" => Expr::Boolean(true),
                    "false" => Expr::Boolean(false),
                    "null" => Expr::Null,
                    _ => Expr::Name(lower),
                })
            }
            Some(Token::LParen) => {
                let e = self.expression(0)?;
                self.expect(&Token::RParen)?;
                Ok(Expr::Group(Box::new(e)))
            }
            Some(t) => Err(ParseError::Syntax(format!("{t:?}"))),
            None => Err(ParseError::UnexpectedEnd),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_puts_concatenation_below_arithmetic() {
        let e = parse_expression(r#"1 + 2 & "x" = "3x""#).unwrap();
        assert!(matches!(e, Expr::Binary(BinOp::Eq, _, _)));
    }

    #[test]
    fn lambdas_and_calls_on_values() {
        assert!(matches!(parse_expression("(x) => x & 1").unwrap(), Expr::Lambda(_, _)));
        assert!(matches!(parse_expression(r#"array(upper)[0]("abc")"#).unwrap(), Expr::Call(_, _)));
        // Parentheses are kept as a group, so a refactored expression prints as written.
        let Expr::Group(inner) = parse_expression("(1 + 2)").unwrap() else { panic!("not a group") };
        assert!(matches!(*inner, Expr::Binary(BinOp::Add, _, _)));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let src = format!("{}1{}", "(".repeat(500), ")".repeat(500));
        assert_eq!(parse_expression(&src).unwrap_err(), ParseError::TooDeep);
        let neg = "-".repeat(500) + "1";
        assert_eq!(parse_expression(&neg).unwrap_err(), ParseError::TooDeep);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for src in ["", "(", "1 +", "a.", "f(1,", "[1]", "1 2", "=>", "(a,) => 1"] {
            assert!(parse_expression(src).is_err(), "{src}");
        }
    }
}
