//! The tree-file parser: text to [`Tree`], checking every rule and limit of
//! docs/tree-scenarios.md before anything runs. It shares format 1's word-level helpers and
//! error style (`line N: what is wrong`).

use std::collections::HashMap;

use dynsup::{AutoShutdown, Restart, Strategy};

use super::model::{Node, NodeKind, NodeRef, SupDecl, Tree, TreeOp, TreeStep};
use crate::scenario::parser::{
    boolean, child_ref, exit_reason, key_value, note_key, number_text, number_value, quote,
    shutdown, template_key, template_name, NumberError,
};
use crate::scenario::{
    ParseError, Template, MAX_CHILDREN, MAX_FILE_BYTES, MAX_LINES, MAX_RESTARTS, MAX_SECONDS,
    MAX_STEPS, MAX_TEMPLATES, MAX_TIME_MS,
};

/// At most this many `sup` lines.
pub const MAX_SUPS: usize = 100;
/// At most this depth below the root (the root's children are at depth 1).
pub const MAX_DEPTH: usize = 8;

/// Whether `text` is a tree file: it has a `sup` line.
pub fn is_tree_text(text: &str) -> bool {
    text.lines()
        .any(|line| line.split_ascii_whitespace().next() == Some("sup"))
}

/// Parses a tree file's text; the first problem, with its line, is the error.
pub fn parse_tree(text: &str) -> Result<Tree, ParseError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(ParseError::new(
            0,
            format!(
                "the file is {} bytes, more than the limit of {MAX_FILE_BYTES}",
                text.len()
            ),
        ));
    }
    let mut parser = Parser::default();
    for (index, line) in text.lines().enumerate() {
        let number = index.saturating_add(1);
        if number > MAX_LINES {
            return Err(ParseError::new(
                number,
                format!("the file has more than {MAX_LINES} lines"),
            ));
        }
        parser
            .line(number, line)
            .map_err(|message| ParseError::new(number, message))?;
    }
    if parser.tree.nodes.is_empty() {
        return Err(ParseError::new(
            0,
            "a tree file needs a sup line (the root)",
        ));
    }
    Ok(parser.tree)
}

#[derive(Default)]
struct Parser {
    tree: Tree,
    names: HashMap<String, usize>,
    depths: Vec<usize>,
    sups: usize,
    workers: usize,
}

/// The keys a `sup` or `child` line may carry as a child, parsed before they are checked
/// against the parent.
#[derive(Default)]
struct AsChild {
    parent: Option<usize>,
    restart: Option<Restart>,
    shutdown: Option<dynsup::Shutdown>,
    significant: Option<bool>,
    later: Option<bool>,
}

impl Parser {
    fn line(&mut self, number: usize, line: &str) -> Result<(), String> {
        let mut words = line.split_ascii_whitespace();
        let Some(keyword) = words.next() else {
            return Ok(());
        };
        if keyword.starts_with('#') {
            return Ok(());
        }
        match keyword {
            "sup" => self.sup(number, words),
            "child" => self.child(number, words),
            "at" => self.step(number, words),
            "supervisor" => Err("a tree file may not contain a supervisor line".to_owned()),
            _ => Err(format!("unknown keyword {}", quote(keyword))),
        }
    }

    fn new_name<'a>(&self, name: Option<&'a str>, form: &str) -> Result<&'a str, String> {
        let Some(name) = name else {
            return Err(format!("missing NAME in \"{form}\""));
        };
        let name = template_name(name)?;
        if let Some(&index) = self.names.get(name) {
            let line = self.tree.nodes.get(index).map_or(0, |n| n.line);
            return Err(format!(
                "the name {} is already declared on line {line}",
                quote(name)
            ));
        }
        Ok(name)
    }

    fn sup_named(&self, name: &str) -> Result<usize, String> {
        match self.names.get(name) {
            Some(&index)
                if self
                    .tree
                    .nodes
                    .get(index)
                    .is_some_and(|n| n.sup().is_some()) =>
            {
                Ok(index)
            }
            Some(_) => Err(format!("{} is not a supervisor", quote(name))),
            None => Err(format!(
                "supervisor {} is not declared before this line",
                quote(name)
            )),
        }
    }

    fn declared(&self, name: &str) -> Result<usize, String> {
        self.names
            .get(name)
            .copied()
            .ok_or_else(|| format!("{} is not declared before this step", quote(name)))
    }

    /// The `in`, `restart`, `shutdown`, `significant` and `later` keys; `Ok(false)` for others.
    fn child_key(&self, into: &mut AsChild, key: &str, value: &str) -> Result<bool, String> {
        match key {
            "in" => into.parent = Some(self.sup_named(value)?),
            "restart" => {
                into.restart = Some(value.parse::<Restart>().map_err(|_| {
                    format!(
                        "bad restart {}: expected permanent, transient or temporary",
                        quote(value)
                    )
                })?)
            }
            "shutdown" => into.shutdown = Some(shutdown(value)?),
            "significant" => into.significant = Some(boolean(key, value)?),
            "later" => into.later = Some(boolean(key, value)?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Checks the child keys against the parent and fills the node's child fields.
    fn place(&self, node: &mut Node, child: &AsChild) -> Result<usize, String> {
        let parent = child.parent.unwrap_or(0);
        let parent_decl = self
            .tree
            .nodes
            .get(parent)
            .and_then(|n| n.sup().copied())
            .unwrap_or_default();
        let depth = self.depths.get(parent).copied().unwrap_or(0) + 1;
        if depth > MAX_DEPTH {
            return Err(format!(
                "too deep: at most {MAX_DEPTH} levels below the root"
            ));
        }
        if let Some(restart) = child.restart {
            node.restart = restart;
        }
        if let Some(shutdown) = child.shutdown {
            node.shutdown = shutdown;
        }
        if parent_decl.dynamic {
            if child.significant.is_some() || child.later.is_some() {
                return Err(
                    "significant and later are not allowed under a dynamic supervisor".to_owned(),
                );
            }
        } else {
            node.significant = child.significant.unwrap_or(false);
            node.later = child.later.unwrap_or(false);
            if node.significant {
                if parent_decl.auto_shutdown == AutoShutdown::Never {
                    return Err(
                        "significant=true needs a parent with auto_shutdown other than never"
                            .to_owned(),
                    );
                }
                if node.restart == Restart::Permanent {
                    return Err("a significant child cannot be permanent".to_owned());
                }
            }
        }
        node.parent = Some(parent);
        Ok(depth)
    }

    fn push(&mut self, node: Node, depth: usize) {
        let index = self.tree.nodes.len();
        self.names.insert(node.name.to_string(), index);
        self.depths.push(depth);
        self.tree.nodes.push(node);
    }

    fn sup<'a>(
        &mut self,
        number: usize,
        mut words: impl Iterator<Item = &'a str>,
    ) -> Result<(), String> {
        let name = self.new_name(words.next(), "sup NAME key=value...")?;
        if self.sups >= MAX_SUPS {
            return Err(format!("too many sup lines (the limit is {MAX_SUPS})"));
        }
        let root = self.tree.nodes.is_empty();
        const KEYS: &str = "in, kind, strategy, max_children, auto_shutdown, max_restarts, \
                            max_seconds, restart, shutdown, significant or later";
        let mut decl = SupDecl::default();
        let mut kind = None;
        let (mut strategy, mut max_children, mut auto_shutdown) = (None, None, None);
        let mut child = AsChild::default();
        let mut seen = Vec::new();
        for word in words {
            let (key, value) = key_value(word)?;
            match key {
                "kind" => {
                    kind = Some(match value {
                        "static" => false,
                        "dynamic" => true,
                        _ => {
                            return Err(format!(
                                "bad kind {}: expected static or dynamic",
                                quote(value)
                            ))
                        }
                    })
                }
                "strategy" => {
                    strategy = Some(match value {
                        "one_for_one" => Strategy::OneForOne,
                        "one_for_all" => Strategy::OneForAll,
                        "rest_for_one" => Strategy::RestForOne,
                        _ => {
                            return Err(format!(
                            "bad strategy {}: expected one_for_one, one_for_all or rest_for_one",
                            quote(value)
                        ))
                        }
                    })
                }
                "max_children" => {
                    max_children = Some(match number_text(value, MAX_CHILDREN) {
                        _ if value == "infinity" => None,
                        Ok(n) => Some(n),
                        Err(NumberError::NotANumber) => {
                            return Err(format!(
                                "bad max_children {}: expected a whole number or infinity",
                                quote(value)
                            ))
                        }
                        Err(e) => return Err(e.message(key, value)),
                    })
                }
                "auto_shutdown" => {
                    auto_shutdown = Some(match value {
                        "never" => AutoShutdown::Never,
                        "any_significant" => AutoShutdown::AnySignificant,
                        "all_significant" => AutoShutdown::AllSignificant,
                        _ => {
                            return Err(format!(
                        "bad auto_shutdown {}: expected never, any_significant or all_significant",
                        quote(value)
                    ))
                        }
                    })
                }
                "max_restarts" => decl.max_restarts = number_value(key, value, MAX_RESTARTS)?,
                "max_seconds" => {
                    let seconds = number_value(key, value, MAX_SECONDS)?;
                    if seconds == 0 {
                        return Err("max_seconds must be at least 1 (OTP rejects 0)".to_owned());
                    }
                    decl.max_seconds = seconds;
                }
                _ => {
                    if !self.child_key(&mut child, key, value)? {
                        return Err(format!("unknown sup key {} (expected {KEYS})", quote(key)));
                    }
                    if root {
                        return Err(format!("the root takes no {key} key"));
                    }
                }
            }
            note_key(&mut seen, key)?;
        }
        decl.dynamic = kind.unwrap_or(false);
        if decl.dynamic {
            if strategy.is_some() || auto_shutdown.is_some() {
                return Err("strategy and auto_shutdown are for static supervisors only".to_owned());
            }
            decl.max_children = max_children.flatten();
        } else {
            if max_children.is_some() {
                return Err("max_children is for dynamic supervisors only".to_owned());
            }
            decl.strategy = strategy.unwrap_or_default();
            decl.auto_shutdown = auto_shutdown.unwrap_or_default();
        }
        let mut node = Node {
            name: name.into(),
            parent: None,
            restart: Restart::Permanent,
            shutdown: dynsup::Shutdown::Infinity,
            significant: false,
            later: false,
            kind: NodeKind::Sup(decl),
            line: number,
        };
        let depth = if root {
            0
        } else {
            if child.parent.is_none() {
                return Err("a sup line other than the root's needs in=SUP".to_owned());
            }
            self.place(&mut node, &child)?
        };
        self.sups += 1;
        self.push(node, depth);
        Ok(())
    }

    fn child<'a>(
        &mut self,
        number: usize,
        mut words: impl Iterator<Item = &'a str>,
    ) -> Result<(), String> {
        if self.tree.nodes.is_empty() {
            return Err("the root's sup line must come before every child line".to_owned());
        }
        let name = self.new_name(words.next(), "child NAME key=value...")?;
        if self.workers >= MAX_TEMPLATES {
            return Err(format!(
                "too many child lines (the limit is {MAX_TEMPLATES})"
            ));
        }
        const KEYS: &str = "in, restart, shutdown, trap_exit, stop_ms, init, significant or later";
        let mut template = Template::new(name);
        let mut child = AsChild::default();
        let mut seen = Vec::new();
        for word in words {
            let (key, value) = key_value(word)?;
            if !self.child_key(&mut child, key, value)? && !template_key(&mut template, key, value)?
            {
                return Err(format!(
                    "unknown child key {} (expected {KEYS})",
                    quote(key)
                ));
            }
            note_key(&mut seen, key)?;
        }
        let mut node = Node {
            name: name.into(),
            parent: None,
            restart: Restart::Permanent,
            shutdown: template.shutdown,
            significant: false,
            later: false,
            kind: NodeKind::Worker(template),
            line: number,
        };
        let depth = self.place(&mut node, &child)?;
        if let NodeKind::Worker(template) = &mut node.kind {
            template.restart = node.restart;
            template.shutdown = node.shutdown;
        }
        self.workers += 1;
        self.push(node, depth);
        Ok(())
    }

    fn step<'a>(
        &mut self,
        number: usize,
        mut words: impl Iterator<Item = &'a str>,
    ) -> Result<(), String> {
        if self.tree.nodes.is_empty() {
            return Err("the root's sup line must come before every at line".to_owned());
        }
        let Some(time) = words.next() else {
            return Err("missing MS in \"at MS [on SUP] OP\"".to_owned());
        };
        let at_ms = match number_text(time, MAX_TIME_MS) {
            Ok(ms) => ms,
            Err(NumberError::NotANumber) => {
                return Err(format!(
                    "bad time {}: expected a whole number of milliseconds",
                    quote(time)
                ))
            }
            Err(e) => return Err(e.message("time", time)),
        };
        let rest: Vec<&str> = words.collect();
        let (on, op_words) = match rest.as_slice() {
            ["on", sup, op @ ..] => (Some(self.sup_named(sup)?), op),
            ["on"] => return Err("missing SUP in \"on SUP\"".to_owned()),
            op => (None, op),
        };
        let target = on.unwrap_or(0);
        let op = self.op(target, on.is_some(), op_words)?;
        if let Some(previous) = self.tree.steps.last() {
            if at_ms < previous.at_ms {
                return Err(format!(
                    "time {at_ms} is before the previous step's {}",
                    previous.at_ms
                ));
            }
        }
        if self.tree.steps.len() >= MAX_STEPS {
            return Err(format!("too many steps (the limit is {MAX_STEPS})"));
        }
        let mut text = format!("@{at_ms}");
        for word in &rest {
            text.push(' ');
            text.push_str(word);
        }
        self.tree.steps.push(TreeStep {
            at_ms,
            on: target,
            op,
            text,
            line: number,
        });
        Ok(())
    }

    fn op(&self, sup: usize, explicit: bool, words: &[&str]) -> Result<TreeOp, String> {
        const OPS: &str = "start, terminate, restart, delete, exit, kill, count, which or stop";
        let dynamic = self
            .tree
            .nodes
            .get(sup)
            .and_then(|n| n.sup())
            .is_some_and(|d| d.dynamic);
        let sup_name = self.tree.name(sup);
        let own_child = |name: &str| -> Result<usize, String> {
            let index = self.declared(name)?;
            if self.tree.nodes.get(index).and_then(|n| n.parent) != Some(sup) {
                return Err(format!(
                    "{} is not declared in supervisor {}",
                    quote(name),
                    quote(sup_name)
                ));
            }
            Ok(index)
        };
        let node_ref = |text: &str| -> Result<NodeRef, String> {
            let r = child_ref(text)?;
            Ok(NodeRef {
                node: self.declared(&r.template)?,
                attempt: r.attempt,
            })
        };
        let (op, arity) = match words {
            [] => {
                return Err(format!(
                    "missing OP in \"at MS [on SUP] OP\" (expected {OPS})"
                ))
            }
            ["start", name, ..] => (TreeOp::Start(own_child(name)?), 2),
            ["terminate", arg, ..] if dynamic => (TreeOp::TerminateRef(node_ref(arg)?), 2),
            ["terminate", name, ..] => (TreeOp::TerminateId(own_child(name)?), 2),
            ["restart" | "delete", ..] if dynamic => {
                return Err(format!(
                    "{} is for static supervisors only",
                    words.first().copied().unwrap_or_default()
                ))
            }
            ["restart", name, ..] => (TreeOp::Restart(own_child(name)?), 2),
            ["delete", name, ..] => (TreeOp::Delete(own_child(name)?), 2),
            ["exit" | "kill", ..] if explicit => {
                return Err("exit and kill are written without on".to_owned())
            }
            ["exit", r, reason, ..] => {
                let r = node_ref(r)?;
                if !self.tree.nodes.get(r.node).is_some_and(Node::is_worker) {
                    return Err("exit takes a worker's REF".to_owned());
                }
                (TreeOp::Exit(r, exit_reason(reason)?), 3)
            }
            ["kill", r, ..] => (TreeOp::Kill(node_ref(r)?), 2),
            ["count", ..] => (TreeOp::Count, 1),
            ["which", ..] => (TreeOp::Which, 1),
            ["stop", ..] if sup != 0 => return Err("stop goes to the root only".to_owned()),
            ["stop", ..] => (TreeOp::Stop, 1),
            ["start" | "terminate" | "restart" | "delete" | "kill", ..] => {
                return Err(format!(
                    "missing argument in \"{}\"",
                    words.first().copied().unwrap_or_default()
                ))
            }
            ["exit", ..] => return Err("missing REF or REASON in \"exit REF REASON\"".to_owned()),
            [other, ..] => {
                return Err(format!(
                    "unknown operation {} (expected {OPS})",
                    quote(other)
                ))
            }
        };
        match words.get(arity) {
            Some(extra) => Err(format!("unexpected {} after the operation", quote(extra))),
            None => Ok(op),
        }
    }
}
