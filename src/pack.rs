//! A compact byte form of the core's state, written and read back exactly ([`Pack`], whose
//! docs describe the form), with its implementations for the public types a supervisor holds.

use std::collections::VecDeque;
use std::fmt;

use crate::child_spec::{ChildType, Modules, Restart, Shutdown, StartCall, ValidChildSpec};
use crate::error::{StartError, TerminateError};
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::restart_intensity::RestartLog;
#[cfg(feature = "planted-defects")]
use crate::supervisor::defect::CoreDefect;
use crate::supervisor::output::{CallId, ChildCounts, ChildInfo, Effect, Event, Reply, Started};
use crate::supervisor::view::EntryState;
use crate::time::Instant;

/// A value with a compact byte form, written and read back exactly: a model checker keeps
/// millions of supervisors, and a few dozen bytes each in one buffer cost far less to write,
/// keep and read than a copy with allocations of its own.
///
/// The form is private to one build (numbers are LEB128 varints, enum variants a tag byte,
/// lists a length then their items): no file format, only a faithful copy. Every packed value
/// takes one byte or more, so a list longer than the bytes left is refused as truncated. A
/// supervisor's state is packed with
/// [`DynamicSupervisor::pack_state`](crate::DynamicSupervisor::pack_state).
///
/// ```
/// use dynsup::Pack;
///
/// let mut bytes = Vec::new();
/// (300u64, Some("why".to_owned())).pack(&mut bytes);
/// assert_eq!(bytes, [0xac, 0x02, 1, 3, b'w', b'h', b'y']);
/// let mut input = bytes.as_slice();
/// assert_eq!(<(u64, Option<String>)>::unpack(&mut input)?, (300, Some("why".to_owned())));
/// assert!(input.is_empty());
/// # Ok::<(), dynsup::UnpackError>(())
/// ```
pub trait Pack: Sized {
    /// Appends the value's bytes to `out`.
    fn pack(&self, out: &mut Vec<u8>);

    /// Reads a value from the front of `input`, which is left at the bytes after it.
    ///
    /// # Errors
    ///
    /// [`UnpackError`] when `input` does not start with a packed value of this type.
    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError>;

    /// Reads a value from the front of `input` into `self`, reusing its buffers where it can
    /// (by default, [`Pack::unpack`] and a move). On an error `self` holds some valid value.
    ///
    /// # Errors
    ///
    /// [`UnpackError`] when `input` does not start with a packed value of this type.
    fn unpack_into(&mut self, input: &mut &[u8]) -> Result<(), UnpackError> {
        *self = Self::unpack(input)?;
        Ok(())
    }
}

/// Bytes that are no packed value of the type asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnpackError {
    /// The bytes end inside a value.
    Truncated,
    /// A number does not fit 64 bits.
    Overflow,
    /// A tag byte names no variant of `what`.
    BadTag {
        /// The type read.
        what: &'static str,
        /// The byte found.
        tag: u8,
    },
    /// A string is not UTF-8.
    NotUtf8,
}

impl fmt::Display for UnpackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnpackError::Truncated => f.write_str("packed value truncated"),
            UnpackError::Overflow => f.write_str("packed number exceeds 64 bits"),
            UnpackError::BadTag { what, tag } => write!(f, "tag {tag} is no {what}"),
            UnpackError::NotUtf8 => f.write_str("packed string is not UTF-8"),
        }
    }
}

impl std::error::Error for UnpackError {}

/// Appends `value` as a LEB128 varint (one byte below 128).
#[inline(always)]
pub(crate) fn write_u64(out: &mut Vec<u8>, value: u64) {
    if value < 0x80 {
        out.push(value as u8);
    } else {
        write_long_u64(out, value);
    }
}

/// [`write_u64`] of a value of two bytes or more.
fn write_long_u64(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value & 0x7f) as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads one byte.
#[inline(always)]
pub(crate) fn read_u8(input: &mut &[u8]) -> Result<u8, UnpackError> {
    let (&byte, rest) = input.split_first().ok_or(UnpackError::Truncated)?;
    *input = rest;
    Ok(byte)
}

/// Reads a LEB128 varint.
#[inline(always)]
pub(crate) fn read_u64(input: &mut &[u8]) -> Result<u64, UnpackError> {
    match input.split_first() {
        Some((&byte, rest)) if byte < 0x80 => {
            *input = rest;
            Ok(u64::from(byte))
        }
        _ => read_long_u64(input),
    }
}

/// [`read_u64`] of a value of two bytes or more (or of no value).
fn read_long_u64(input: &mut &[u8]) -> Result<u64, UnpackError> {
    let mut value = 0u64;
    let mut shift = 0u32;
    loop {
        let byte = read_u8(input)?;
        let bits = u64::from(byte & 0x7f);
        if shift == 63 && bits > 1 {
            return Err(UnpackError::Overflow);
        }
        value |= bits << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
        shift += 7;
        if shift > 63 {
            return Err(UnpackError::Overflow);
        }
    }
}

/// Reads a number that counts something in memory.
pub(crate) fn read_len(input: &mut &[u8]) -> Result<usize, UnpackError> {
    let len = read_u64(input)?;
    usize::try_from(len).map_err(|_| UnpackError::Overflow)
}

/// Reads the length of a list: every packed value takes a byte or more, so a list cannot be
/// longer than the bytes left, and a corrupt length is refused before it asks for a huge
/// allocation or a long loop.
fn read_list_len(input: &mut &[u8]) -> Result<usize, UnpackError> {
    let len = read_len(input)?;
    if len > input.len() {
        return Err(UnpackError::Truncated);
    }
    Ok(len)
}

/// The error for tag `tag` of type `what`.
pub(crate) fn bad_tag<T>(what: &'static str, tag: u8) -> Result<T, UnpackError> {
    Err(UnpackError::BadTag { what, tag })
}

/// One byte (0), like every packed value: a list's length never exceeds its bytes.
impl Pack for () {
    fn pack(&self, out: &mut Vec<u8>) {
        out.push(0);
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        match read_u8(input)? {
            0 => Ok(()),
            tag => bad_tag("()", tag),
        }
    }
}

impl Pack for u8 {
    fn pack(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        read_u8(input)
    }
}

impl Pack for u64 {
    fn pack(&self, out: &mut Vec<u8>) {
        write_u64(out, *self);
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        read_u64(input)
    }
}

impl Pack for usize {
    fn pack(&self, out: &mut Vec<u8>) {
        write_u64(out, *self as u64);
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        read_len(input)
    }
}

impl Pack for bool {
    fn pack(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        match read_u8(input)? {
            0 => Ok(false),
            1 => Ok(true),
            tag => bad_tag("bool", tag),
        }
    }
}

impl Pack for String {
    fn pack(&self, out: &mut Vec<u8>) {
        write_u64(out, self.len() as u64);
        out.extend_from_slice(self.as_bytes());
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        let len = read_list_len(input)?;
        let (bytes, rest) = input.split_at(len);
        *input = rest;
        String::from_utf8(bytes.to_vec()).map_err(|_| UnpackError::NotUtf8)
    }
}

impl<T: Pack> Pack for Option<T> {
    fn pack(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(value) => {
                out.push(1);
                value.pack(out);
            }
        }
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        match read_u8(input)? {
            0 => Ok(None),
            1 => T::unpack(input).map(Some),
            tag => bad_tag("Option", tag),
        }
    }

    fn unpack_into(&mut self, input: &mut &[u8]) -> Result<(), UnpackError> {
        match (read_u8(input)?, self.as_mut()) {
            (0, _) => *self = None,
            (1, Some(value)) => value.unpack_into(input)?,
            (1, None) => *self = Some(T::unpack(input)?),
            (tag, _) => return bad_tag("Option", tag),
        }
        Ok(())
    }
}

impl<T: Pack, U: Pack> Pack for (T, U) {
    fn pack(&self, out: &mut Vec<u8>) {
        self.0.pack(out);
        self.1.pack(out);
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        Ok((T::unpack(input)?, U::unpack(input)?))
    }
}

/// Packs a list: its length, then its items; unpacking into a list keeps its buffer.
macro_rules! pack_list {
    ($list:ident, $push:ident) => {
        impl<T: Pack> Pack for $list<T> {
            fn pack(&self, out: &mut Vec<u8>) {
                write_u64(out, self.len() as u64);
                for item in self {
                    item.pack(out);
                }
            }

            fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
                let mut items = $list::new();
                items.unpack_into(input)?;
                Ok(items)
            }

            fn unpack_into(&mut self, input: &mut &[u8]) -> Result<(), UnpackError> {
                let len = read_list_len(input)?;
                self.clear();
                self.reserve(len);
                for _ in 0..len {
                    self.$push(T::unpack(input)?);
                }
                Ok(())
            }
        }
    };
}

pack_list!(Vec, push);
pack_list!(VecDeque, push_back);

/// Packs a type that wraps one `u64`.
macro_rules! pack_number {
    ($type:ty, $wrap:expr, $unwrap:expr) => {
        impl Pack for $type {
            fn pack(&self, out: &mut Vec<u8>) {
                write_u64(out, $unwrap(*self));
            }

            fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
                read_u64(input).map($wrap)
            }
        }
    };
}

pack_number!(Pid, Pid, |pid: Pid| pid.0);
pack_number!(CallId, CallId, |call: CallId| call.0);
pack_number!(Instant, Instant::from_millis, Instant::as_millis);

/// Packs an enum without fields as its variant's index.
macro_rules! pack_unit_enum {
    ($type:ident: $($variant:ident),+ $(,)?) => {
        impl Pack for $type {
            fn pack(&self, out: &mut Vec<u8>) {
                // Fieldless: the cast is the variant's index in declaration order, which
                // the list below follows (the round-trip tests check every variant).
                out.push(*self as u8);
            }

            fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
                let tag = read_u8(input)?;
                let variants = [$($type::$variant),+];
                match variants.get(usize::from(tag)) {
                    Some(variant) => Ok(*variant),
                    None => bad_tag(stringify!($type), tag),
                }
            }
        }
    };
}

pack_unit_enum!(Restart: Permanent, Transient, Temporary);
pack_unit_enum!(ChildType: Worker, Supervisor);
pack_unit_enum!(EntryState: Running, Restarting);
/// A planted defect as its index in [`CoreDefect::ALL`].
#[cfg(feature = "planted-defects")]
impl Pack for CoreDefect {
    fn pack(&self, out: &mut Vec<u8>) {
        let index = CoreDefect::ALL.iter().position(|d| d == self).unwrap_or(0);
        out.push(index as u8);
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        let tag = read_u8(input)?;
        match CoreDefect::ALL.get(usize::from(tag)) {
            Some(defect) => Ok(*defect),
            None => bad_tag("CoreDefect", tag),
        }
    }
}

impl Pack for Shutdown {
    fn pack(&self, out: &mut Vec<u8>) {
        match self {
            Shutdown::BrutalKill => out.push(0),
            Shutdown::Timeout { millis } => {
                out.push(1);
                write_u64(out, *millis);
            }
            Shutdown::Infinity => out.push(2),
        }
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        match read_u8(input)? {
            0 => Ok(Shutdown::BrutalKill),
            1 => Ok(Shutdown::Timeout {
                millis: read_u64(input)?,
            }),
            2 => Ok(Shutdown::Infinity),
            tag => bad_tag("Shutdown", tag),
        }
    }
}

impl Pack for Modules {
    fn pack(&self, out: &mut Vec<u8>) {
        match self {
            Modules::OfStart => out.push(0),
            Modules::Dynamic => out.push(1),
            Modules::List(names) => {
                out.push(2);
                names.pack(out);
            }
        }
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        match read_u8(input)? {
            0 => Ok(Modules::OfStart),
            1 => Ok(Modules::Dynamic),
            2 => Vec::unpack(input).map(Modules::List),
            tag => bad_tag("Modules", tag),
        }
    }
}

impl Pack for ExitReason {
    fn pack(&self, out: &mut Vec<u8>) {
        match self {
            ExitReason::Normal => out.push(0),
            ExitReason::Shutdown => out.push(1),
            ExitReason::ShutdownWith(detail) => {
                out.push(2);
                detail.pack(out);
            }
            ExitReason::Killed => out.push(3),
            ExitReason::NoProc => out.push(4),
            ExitReason::Other(detail) => {
                out.push(5);
                detail.pack(out);
            }
        }
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        match read_u8(input)? {
            0 => Ok(ExitReason::Normal),
            1 => Ok(ExitReason::Shutdown),
            2 => String::unpack(input).map(ExitReason::ShutdownWith),
            3 => Ok(ExitReason::Killed),
            4 => Ok(ExitReason::NoProc),
            5 => String::unpack(input).map(ExitReason::Other),
            tag => bad_tag("ExitReason", tag),
        }
    }
}

impl<F: Pack, A: Pack> Pack for StartCall<F, A> {
    fn pack(&self, out: &mut Vec<u8>) {
        self.function.pack(out);
        self.args.pack(out);
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        Ok(StartCall {
            function: F::unpack(input)?,
            args: Vec::unpack(input)?,
        })
    }
}

/// The small fields in one byte (restart, child type, and which shutdown and modules: bits
/// 0-1, 2, 3-4 and 5-6), then the start call, a timeout's milliseconds and a modules list.
/// Specs are the bulk of a supervisor's state, one per child.
impl<F: Pack, A: Pack> Pack for ValidChildSpec<F, A> {
    fn pack(&self, out: &mut Vec<u8>) {
        let shutdown = match self.shutdown() {
            Shutdown::BrutalKill => 0,
            Shutdown::Timeout { .. } => 1,
            Shutdown::Infinity => 2,
        };
        let modules = match self.modules() {
            Modules::OfStart => 0,
            Modules::Dynamic => 1,
            Modules::List(_) => 2,
        };
        out.push(
            self.restart() as u8 | (self.child_type() as u8) << 2 | shutdown << 3 | modules << 5,
        );
        self.start().pack(out);
        if let Shutdown::Timeout { millis } = self.shutdown() {
            write_u64(out, millis);
        }
        if let Modules::List(names) = self.modules() {
            names.pack(out);
        }
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        let header = read_u8(input)?;
        let bad = || UnpackError::BadTag {
            what: "ValidChildSpec",
            tag: header,
        };
        let restart = match header & 0b11 {
            0 => Restart::Permanent,
            1 => Restart::Transient,
            2 => Restart::Temporary,
            _ => return Err(bad()),
        };
        let child_type = match header >> 2 & 1 {
            0 => ChildType::Worker,
            _ => ChildType::Supervisor,
        };
        if header >> 7 != 0 {
            return Err(bad());
        }
        let start = StartCall::unpack(input)?;
        let shutdown = match header >> 3 & 0b11 {
            0 => Shutdown::BrutalKill,
            1 => Shutdown::Timeout {
                millis: read_u64(input)?,
            },
            2 => Shutdown::Infinity,
            _ => return Err(bad()),
        };
        let modules = match header >> 5 & 0b11 {
            0 => Modules::OfStart,
            1 => Modules::Dynamic,
            2 => Modules::List(Vec::unpack(input)?),
            _ => return Err(bad()),
        };
        Ok(ValidChildSpec::from_parts(
            start, restart, shutdown, child_type, modules,
        ))
    }
}

impl Pack for ChildCounts {
    fn pack(&self, out: &mut Vec<u8>) {
        for count in [self.specs, self.active, self.supervisors, self.workers] {
            write_u64(out, count);
        }
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        Ok(ChildCounts {
            specs: read_u64(input)?,
            active: read_u64(input)?,
            supervisors: read_u64(input)?,
            workers: read_u64(input)?,
        })
    }
}

impl Pack for RestartLog {
    fn pack(&self, out: &mut Vec<u8>) {
        let (runs, total) = self.parts();
        runs.pack(out);
        write_u64(out, total);
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        let mut log = RestartLog::new();
        log.unpack_into(input)?;
        Ok(log)
    }

    /// Keeps the log's buffer.
    fn unpack_into(&mut self, input: &mut &[u8]) -> Result<(), UnpackError> {
        let (runs, total) = self.parts_mut();
        runs.unpack_into(input)?;
        *total = read_u64(input)?;
        Ok(())
    }
}

impl Pack for StartError {
    fn pack(&self, out: &mut Vec<u8>) {
        match self {
            StartError::MaxChildren => out.push(0),
            StartError::Failed(reason) => {
                out.push(1);
                reason.pack(out);
            }
        }
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        match read_u8(input)? {
            0 => Ok(StartError::MaxChildren),
            1 => ExitReason::unpack(input).map(StartError::Failed),
            tag => bad_tag("StartError", tag),
        }
    }
}

impl Pack for TerminateError {
    fn pack(&self, out: &mut Vec<u8>) {
        match self {
            TerminateError::NotFound => out.push(0),
        }
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        match read_u8(input)? {
            0 => Ok(TerminateError::NotFound),
            tag => bad_tag("TerminateError", tag),
        }
    }
}

/// A `Result` as a tag (0 for `Ok`) and its value.
fn pack_result<T: Pack, E: Pack>(result: &Result<T, E>, out: &mut Vec<u8>) {
    match result {
        Ok(value) => {
            out.push(0);
            value.pack(out);
        }
        Err(error) => {
            out.push(1);
            error.pack(out);
        }
    }
}

fn unpack_result<T: Pack, E: Pack>(input: &mut &[u8]) -> Result<Result<T, E>, UnpackError> {
    match read_u8(input)? {
        0 => T::unpack(input).map(Ok),
        1 => E::unpack(input).map(Err),
        tag => bad_tag("Result", tag),
    }
}

impl Pack for Started {
    fn pack(&self, out: &mut Vec<u8>) {
        match self {
            Started::Running { pid, info } => {
                out.push(0);
                pid.pack(out);
                info.pack(out);
            }
            Started::Ignored => out.push(1),
        }
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        match read_u8(input)? {
            0 => Ok(Started::Running {
                pid: Pid::unpack(input)?,
                info: Option::unpack(input)?,
            }),
            1 => Ok(Started::Ignored),
            tag => bad_tag("Started", tag),
        }
    }
}

impl Pack for ChildInfo {
    fn pack(&self, out: &mut Vec<u8>) {
        self.pid.pack(out);
        self.child_type.pack(out);
        self.modules.pack(out);
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        Ok(ChildInfo {
            pid: Option::unpack(input)?,
            child_type: ChildType::unpack(input)?,
            modules: Modules::unpack(input)?,
        })
    }
}

impl Pack for Reply {
    fn pack(&self, out: &mut Vec<u8>) {
        match self {
            Reply::StartChild(result) => {
                out.push(0);
                pack_result(result, out);
            }
            Reply::TerminateChild(result) => {
                out.push(1);
                pack_result(result, out);
            }
            Reply::WhichChildren(children) => {
                out.push(2);
                children.pack(out);
            }
            Reply::CountChildren(counts) => {
                out.push(3);
                counts.pack(out);
            }
            Reply::Stopped => out.push(4),
            Reply::NoProc => out.push(5),
        }
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        match read_u8(input)? {
            0 => unpack_result(input).map(Reply::StartChild),
            1 => unpack_result(input).map(Reply::TerminateChild),
            2 => Vec::unpack(input).map(Reply::WhichChildren),
            3 => ChildCounts::unpack(input).map(Reply::CountChildren),
            4 => Ok(Reply::Stopped),
            5 => Ok(Reply::NoProc),
            tag => bad_tag("Reply", tag),
        }
    }
}

impl<F: Pack, A: Pack> Pack for Effect<F, A> {
    fn pack(&self, out: &mut Vec<u8>) {
        match self {
            Effect::Start {
                function,
                args,
                restart_of,
            } => {
                out.push(0);
                function.pack(out);
                args.pack(out);
                restart_of.pack(out);
            }
            Effect::Shutdown { pid } => {
                out.push(1);
                pid.pack(out);
            }
            Effect::Kill { pid } => {
                out.push(2);
                pid.pack(out);
            }
            Effect::Reply { call, reply } => {
                out.push(3);
                call.pack(out);
                reply.pack(out);
            }
            Effect::Exit { reason } => {
                out.push(4);
                reason.pack(out);
            }
        }
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        match read_u8(input)? {
            0 => Ok(Effect::Start {
                function: F::unpack(input)?,
                args: Vec::unpack(input)?,
                restart_of: Option::unpack(input)?,
            }),
            1 => Pid::unpack(input).map(|pid| Effect::Shutdown { pid }),
            2 => Pid::unpack(input).map(|pid| Effect::Kill { pid }),
            3 => Ok(Effect::Reply {
                call: CallId::unpack(input)?,
                reply: Reply::unpack(input)?,
            }),
            4 => ExitReason::unpack(input).map(|reason| Effect::Exit { reason }),
            tag => bad_tag("Effect", tag),
        }
    }
}

impl Pack for Event {
    fn pack(&self, out: &mut Vec<u8>) {
        match self {
            Event::ChildStarted { pid } => {
                out.push(0);
                pid.pack(out);
            }
            Event::ChildExited {
                pid,
                reason,
                will_restart,
            } => {
                out.push(1);
                pid.pack(out);
                reason.pack(out);
                will_restart.pack(out);
            }
            Event::RestartCounted { pid, second } => {
                out.push(2);
                pid.pack(out);
                second.pack(out);
            }
            Event::ChildRestarted { old, new } => {
                out.push(3);
                old.pack(out);
                new.pack(out);
            }
            Event::RestartIgnored { old } => {
                out.push(4);
                old.pack(out);
            }
            Event::RestartFailed { old, reason } => {
                out.push(5);
                old.pack(out);
                reason.pack(out);
            }
            Event::IntensityExceeded => out.push(6),
            Event::ShutdownError { pid, reason } => {
                out.push(7);
                pid.pack(out);
                reason.pack(out);
            }
            Event::ChildTerminated { pid } => {
                out.push(8);
                pid.pack(out);
            }
            Event::SupervisorDown { reason } => {
                out.push(9);
                reason.pack(out);
            }
        }
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        let pid = |input: &mut &[u8]| Pid::unpack(input);
        match read_u8(input)? {
            0 => pid(input).map(|pid| Event::ChildStarted { pid }),
            1 => Ok(Event::ChildExited {
                pid: pid(input)?,
                reason: ExitReason::unpack(input)?,
                will_restart: bool::unpack(input)?,
            }),
            2 => Ok(Event::RestartCounted {
                pid: pid(input)?,
                second: read_u64(input)?,
            }),
            3 => Ok(Event::ChildRestarted {
                old: pid(input)?,
                new: pid(input)?,
            }),
            4 => pid(input).map(|old| Event::RestartIgnored { old }),
            5 => Ok(Event::RestartFailed {
                old: pid(input)?,
                reason: ExitReason::unpack(input)?,
            }),
            6 => Ok(Event::IntensityExceeded),
            7 => Ok(Event::ShutdownError {
                pid: pid(input)?,
                reason: ExitReason::unpack(input)?,
            }),
            8 => pid(input).map(|pid| Event::ChildTerminated { pid }),
            9 => ExitReason::unpack(input).map(|reason| Event::SupervisorDown { reason }),
            tag => bad_tag("Event", tag),
        }
    }
}
