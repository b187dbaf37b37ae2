//! The packed state of a supervisor ([`Pack`]): its table, restart log, mailbox, phase and
//! outputs, field by field; unpacking into a supervisor reuses its buffers.

use crate::child_spec::ValidChildSpec;
use crate::exit_reason::ExitReason;
use crate::pack::{bad_tag, read_len, read_u64, read_u8, write_u64, Pack, UnpackError};
use crate::pid::Pid;
use crate::restart_intensity::RestartLog;
use crate::supervisor::awaiting::Awaiting;
use crate::supervisor::children::{Child, ChildState, Children, Slot};
use crate::supervisor::mailbox::{Message, Request};
use crate::supervisor::output::{CallId, ChildCounts};
use crate::supervisor::termination::{HeadStart, KillTimer, Purpose, Termination};
use crate::supervisor::{DynamicSupervisor, PendingStart, Phase};
use crate::time::Instant;

/// The pid, then one byte (0 for a tombstone, else 1 for a running entry and 2 for a
/// restarting one), then the entry's spec.
impl<F: Pack, A: Pack> Pack for Slot<F, A> {
    fn pack(&self, out: &mut Vec<u8>) {
        self.pid.pack(out);
        match &self.child {
            None => out.push(0),
            Some(child) => {
                out.push(match child.state {
                    ChildState::Running => 1,
                    ChildState::Restarting => 2,
                });
                child.spec.pack(out);
            }
        }
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        let pid = Pid::unpack(input)?;
        let state = match read_u8(input)? {
            0 => return Ok(Slot { pid, child: None }),
            1 => ChildState::Running,
            2 => ChildState::Restarting,
            tag => return bad_tag("Slot", tag),
        };
        let spec = ValidChildSpec::unpack(input)?;
        Ok(Slot {
            pid,
            child: Some(Child { spec, state }),
        })
    }
}

/// The slots as they lie, tombstones included, so that a copy is laid out as the original.
impl<F: Pack, A: Pack> Pack for Children<F, A> {
    fn pack(&self, out: &mut Vec<u8>) {
        self.slots.pack(out);
        self.tombstones.pack(out);
        self.counts.pack(out);
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        let mut children = Children::new();
        children.unpack_into(input)?;
        Ok(children)
    }

    fn unpack_into(&mut self, input: &mut &[u8]) -> Result<(), UnpackError> {
        self.slots.unpack_into(input)?;
        self.tombstones = read_len(input)?;
        self.counts = ChildCounts::unpack(input)?;
        Ok(())
    }
}

impl<F: Pack, A: Pack> Pack for Request<F, A> {
    fn pack(&self, out: &mut Vec<u8>) {
        match self {
            Request::StartChild(spec) => {
                out.push(0);
                spec.pack(out);
            }
            Request::TerminateChild(pid) => {
                out.push(1);
                pid.pack(out);
            }
            Request::WhichChildren => out.push(2),
            Request::CountChildren => out.push(3),
            Request::Stop(reason) => {
                out.push(4);
                reason.pack(out);
            }
        }
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        match read_u8(input)? {
            0 => ValidChildSpec::unpack(input).map(Request::StartChild),
            1 => Pid::unpack(input).map(Request::TerminateChild),
            2 => Ok(Request::WhichChildren),
            3 => Ok(Request::CountChildren),
            4 => ExitReason::unpack(input).map(Request::Stop),
            tag => bad_tag("Request", tag),
        }
    }
}

impl<F: Pack, A: Pack> Pack for Message<F, A> {
    fn pack(&self, out: &mut Vec<u8>) {
        match self {
            Message::Call { call, request } => {
                out.push(0);
                call.pack(out);
                request.pack(out);
            }
            Message::Exit { pid, reason } => {
                out.push(1);
                pid.pack(out);
                reason.pack(out);
            }
            Message::Retry { pid } => {
                out.push(2);
                pid.pack(out);
            }
            Message::ParentExit { reason } => {
                out.push(3);
                reason.pack(out);
            }
        }
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        match read_u8(input)? {
            0 => Ok(Message::Call {
                call: CallId::unpack(input)?,
                request: Request::unpack(input)?,
            }),
            1 => Ok(Message::Exit {
                pid: Pid::unpack(input)?,
                reason: ExitReason::unpack(input)?,
            }),
            2 => Pid::unpack(input).map(|pid| Message::Retry { pid }),
            3 => ExitReason::unpack(input).map(|reason| Message::ParentExit { reason }),
            tag => bad_tag("Message", tag),
        }
    }
}

impl<F: Pack, A: Pack> Pack for PendingStart<F, A> {
    fn pack(&self, out: &mut Vec<u8>) {
        match self {
            PendingStart::Call { call, spec } => {
                out.push(0);
                call.pack(out);
                spec.pack(out);
            }
            PendingStart::Restart { old } => {
                out.push(1);
                old.pack(out);
            }
        }
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        match read_u8(input)? {
            0 => Ok(PendingStart::Call {
                call: CallId::unpack(input)?,
                spec: ValidChildSpec::unpack(input)?,
            }),
            1 => Pid::unpack(input).map(|old| PendingStart::Restart { old }),
            tag => bad_tag("PendingStart", tag),
        }
    }
}

impl Pack for Purpose {
    fn pack(&self, out: &mut Vec<u8>) {
        match self {
            Purpose::Child { call, pid } => {
                out.push(0);
                call.pack(out);
                pid.pack(out);
            }
            Purpose::Supervisor { reason, reply_to } => {
                out.push(1);
                reason.pack(out);
                reply_to.pack(out);
            }
        }
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        match read_u8(input)? {
            0 => Ok(Purpose::Child {
                call: CallId::unpack(input)?,
                pid: Pid::unpack(input)?,
            }),
            1 => Ok(Purpose::Supervisor {
                reason: ExitReason::unpack(input)?,
                reply_to: Option::unpack(input)?,
            }),
            tag => bad_tag("Purpose", tag),
        }
    }
}

impl Pack for KillTimer {
    fn pack(&self, out: &mut Vec<u8>) {
        write_u64(out, self.millis);
        self.deadline.pack(out);
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        Ok(KillTimer {
            millis: read_u64(input)?,
            deadline: Instant::unpack(input)?,
        })
    }
}

/// The entries as they lie, tombstones included.
impl Pack for Awaiting {
    fn pack(&self, out: &mut Vec<u8>) {
        self.entries.pack(out);
        self.live.pack(out);
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        let mut awaiting = Awaiting::default();
        awaiting.unpack_into(input)?;
        Ok(awaiting)
    }

    fn unpack_into(&mut self, input: &mut &[u8]) -> Result<(), UnpackError> {
        self.entries.unpack_into(input)?;
        self.live = read_len(input)?;
        Ok(())
    }
}

impl Pack for Termination {
    fn pack(&self, out: &mut Vec<u8>) {
        self.purpose.pack(out);
        self.awaiting.pack(out);
        self.timers.pack(out);
        self.head_start.0.pack(out);
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        Ok(Termination {
            purpose: Purpose::unpack(input)?,
            awaiting: Awaiting::unpack(input)?,
            timers: Vec::unpack(input)?,
            head_start: HeadStart(Vec::unpack(input)?),
        })
    }

    fn unpack_into(&mut self, input: &mut &[u8]) -> Result<(), UnpackError> {
        self.purpose = Purpose::unpack(input)?;
        self.awaiting.unpack_into(input)?;
        self.timers.unpack_into(input)?;
        self.head_start.0.unpack_into(input)
    }
}

impl<F: Pack, A: Pack> Pack for Phase<F, A> {
    fn pack(&self, out: &mut Vec<u8>) {
        match self {
            Phase::Ready => out.push(0),
            Phase::Starting(pending) => {
                out.push(1);
                pending.pack(out);
            }
            Phase::Terminating(termination) => {
                out.push(2);
                termination.pack(out);
            }
            Phase::Down(reason) => {
                out.push(3);
                reason.pack(out);
            }
        }
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        match read_u8(input)? {
            0 => Ok(Phase::Ready),
            1 => PendingStart::unpack(input).map(Phase::Starting),
            2 => Termination::unpack(input).map(Phase::Terminating),
            3 => ExitReason::unpack(input).map(Phase::Down),
            tag => bad_tag("Phase", tag),
        }
    }

    /// A termination unpacked into a termination reuses its buffers.
    fn unpack_into(&mut self, input: &mut &[u8]) -> Result<(), UnpackError> {
        match (input.first(), &mut *self) {
            (Some(2), Phase::Terminating(termination)) => {
                *input = input.get(1..).unwrap_or_default();
                termination.unpack_into(input)
            }
            _ => {
                *self = Phase::unpack(input)?;
                Ok(())
            }
        }
    }
}

/// The state of a supervisor in packed form: every field but the options, outputs not yet
/// polled included. As with its [`Hash`](std::hash::Hash), the options are left out: a packed
/// state is unpacked into a supervisor built with the same options.
impl<F: Pack + Clone, A: Pack + Clone> DynamicSupervisor<F, A> {
    /// Appends the supervisor's state (all but its options) to `out`.
    ///
    /// ```
    /// use dynsup::{CallId, DynamicSupervisor, Instant, Options};
    ///
    /// let options = Options::default();
    /// let mut sup: DynamicSupervisor<u8, ()> = DynamicSupervisor::with_options(options.clone())?;
    /// sup.count_children(Instant::ZERO, CallId(1))?;
    /// let mut bytes = Vec::new();
    /// sup.pack_state(&mut bytes);
    /// let mut copy: DynamicSupervisor<u8, ()> = DynamicSupervisor::with_options(options)?;
    /// copy.unpack_state(&mut bytes.as_slice())?;
    /// assert_eq!(format!("{copy:?}"), format!("{sup:?}"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pack_state(&self, out: &mut Vec<u8>) {
        self.children.pack(out);
        self.restarts.pack(out);
        self.mailbox.pack(out);
        self.phase.pack(out);
        self.effects.pack(out);
        self.events.pack(out);
        self.latest.pack(out);
        self.suspended.pack(out);
        #[cfg(feature = "planted-defects")]
        self.defect.pack(out);
    }

    /// Makes this supervisor's state the one [`pack_state`](Self::pack_state) wrote at the
    /// front of `input` (for a supervisor with the same options), reusing its buffers;
    /// `input` is left at the bytes after it.
    ///
    /// # Errors
    ///
    /// [`UnpackError`] when `input` does not start with a packed state; the supervisor then
    /// holds some valid state, not necessarily a reachable one.
    pub fn unpack_state(&mut self, input: &mut &[u8]) -> Result<(), UnpackError> {
        self.children.unpack_into(input)?;
        RestartLog::unpack_into(&mut self.restarts, input)?;
        self.mailbox.unpack_into(input)?;
        self.phase.unpack_into(input)?;
        self.effects.unpack_into(input)?;
        self.events.unpack_into(input)?;
        self.latest = Instant::unpack(input)?;
        self.suspended = bool::unpack(input)?;
        #[cfg(feature = "planted-defects")]
        {
            self.defect = Option::unpack(input)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::pack::{Pack, UnpackError};
    use crate::{
        CallId, ChildSpec, ChildType, DynamicSupervisor, ExitReason, Instant, MaxChildren, Modules,
        Options, Pid, Restart, Shutdown, StartOutcome,
    };

    type Sup = DynamicSupervisor<String, u64>;

    /// One input the walk gives the supervisor.
    type Input<'a> = Box<dyn Fn(&mut Sup) + 'a>;

    fn options() -> Options<u64> {
        Options {
            max_children: MaxChildren::Limit(3),
            extra_arguments: vec![7, 300],
            ..Options::default()
        }
    }

    fn fresh() -> Sup {
        let sup = Sup::with_options(options());
        let Ok(sup) = sup else {
            panic!("valid options: {sup:?}");
        };
        sup
    }

    /// Packs `sup`, unpacks the bytes into a fresh supervisor and into `reused` (which holds
    /// another state), and checks that both copies equal `sup` field by field and that every
    /// shorter prefix of the bytes is refused, never a panic.
    fn round_trip(sup: &Sup, reused: &mut Sup) {
        let mut bytes = Vec::new();
        sup.pack_state(&mut bytes);
        let mut copy = fresh();
        let mut input = bytes.as_slice();
        assert_eq!(copy.unpack_state(&mut input), Ok(()));
        assert!(input.is_empty(), "{} bytes left over", input.len());
        assert_eq!(format!("{copy:?}"), format!("{sup:?}"));
        assert_eq!(reused.unpack_state(&mut bytes.as_slice()), Ok(()));
        assert_eq!(format!("{reused:?}"), format!("{sup:?}"));
        for cut in 0..bytes.len() {
            let mut prefix = bytes.get(..cut).unwrap_or_default();
            assert!(
                fresh().unpack_state(&mut prefix).is_err(),
                "prefix of {cut} bytes"
            );
        }
    }

    fn spec(name: &str, restart: Restart) -> crate::ValidChildSpec<String, u64> {
        let spec = ChildSpec::new(name.to_owned(), vec![1, 128, u64::MAX])
            .restart(restart)
            .shutdown(Shutdown::millis(250))
            .modules(Modules::List(vec!["Mod".to_owned(), "ümlaut".to_owned()]))
            .validate();
        let Ok(spec) = spec else {
            panic!("a valid spec: {spec:?}");
        };
        spec
    }

    fn started(sup: &mut Sup, now: u64, pid: u64) {
        let outcome = StartOutcome::Started {
            pid: Pid(pid),
            info: Some("info".to_owned()),
        };
        assert_eq!(
            sup.handle_start_result(Instant::from_millis(now), outcome),
            Ok(())
        );
    }

    /// Drives one supervisor through every phase (starting, ready with a restarting entry,
    /// suspended with queued messages, terminating, down), packing it at each step with its
    /// outputs not yet polled, then again once they are drained.
    #[test]
    fn every_phase_of_a_supervisor_packs_and_unpacks_exactly() {
        let at = Instant::from_millis;
        let mut sup = fresh();
        let mut reused = fresh();
        let mut steps: Vec<Input<'_>> = vec![
            Box::new(|sup| {
                assert_eq!(
                    sup.start_child(at(1), CallId(1), spec("a", Restart::Permanent)),
                    Ok(())
                )
            }),
            Box::new(|sup| started(sup, 2, 10)),
            Box::new(|sup| {
                let spec = ChildSpec::new("sup".to_owned(), vec![])
                    .child_type(ChildType::Supervisor)
                    .restart(Restart::Transient)
                    .validate();
                let Ok(spec) = spec else { panic!("{spec:?}") };
                assert_eq!(sup.start_child(at(3), CallId(2), spec), Ok(()));
            }),
            Box::new(|sup| started(sup, 4, 11)),
            Box::new(|sup| {
                let reason = ExitReason::other("boom");
                assert_eq!(sup.handle_child_exit(at(1500), Pid(10), reason), Ok(()));
            }),
            Box::new(|sup| {
                let failed = StartOutcome::Failed(ExitReason::ShutdownWith("why".to_owned()));
                assert_eq!(sup.handle_start_result(at(1501), failed), Ok(()));
            }),
            Box::new(|sup| {
                sup.suspend();
            }),
            Box::new(|sup| assert_eq!(sup.which_children(at(1600), CallId(3)), Ok(()))),
            Box::new(|sup| assert_eq!(sup.count_children(at(1601), CallId(4)), Ok(()))),
            Box::new(|sup| assert_eq!(sup.terminate_child(at(1602), CallId(5), Pid(11)), Ok(()))),
            Box::new(|sup| {
                assert_eq!(
                    sup.handle_child_exit(at(1603), Pid(11), ExitReason::Normal),
                    Ok(())
                );
            }),
            Box::new(|sup| assert!(sup.resume(at(1700)).is_ok())),
            // The retry of child 10's restart, queued while suspended, starts it as 12.
            Box::new(|sup| started(sup, 1701, 12)),
            Box::new(|sup| {
                let reason = ExitReason::ShutdownWith("bye".to_owned());
                assert_eq!(sup.stop(at(1800), CallId(6), reason), Ok(()));
            }),
            Box::new(|sup| assert_eq!(sup.handle_timeout(at(99_999)), Ok(()))),
            Box::new(|sup| {
                let reason = ExitReason::Killed;
                let _ = sup.handle_child_exit(at(99_999), Pid(12), reason);
            }),
        ];
        round_trip(&sup, &mut reused);
        let (mut blocked, mut queued, mut restarting) = (false, false, false);
        for step in steps.drain(..) {
            step(&mut sup);
            round_trip(&sup, &mut reused);
            let view = sup.view();
            blocked |= view.is_blocked();
            queued |= view.is_suspended() && view.mailbox_len() > 1;
            restarting |= view
                .entries()
                .any(|entry| entry.state == crate::EntryState::Restarting);
            let mut drained = sup.clone();
            while drained.poll_effect().is_some() || drained.poll_event().is_some() {}
            round_trip(&drained, &mut reused);
        }
        assert!(
            blocked && queued && restarting,
            "{blocked} {queued} {restarting}"
        );
        assert!(
            !sup.view().is_alive(),
            "the walk ends with the supervisor down"
        );
    }

    /// Every combination of a spec's small fields, packed in its one header byte, reads back;
    /// a header with a field out of range is refused.
    #[test]
    fn every_kind_of_child_spec_reads_back() {
        let restarts = [Restart::Permanent, Restart::Transient, Restart::Temporary];
        let shutdowns = [
            Shutdown::BrutalKill,
            Shutdown::millis(300),
            Shutdown::Infinity,
        ];
        let modules = [
            Modules::OfStart,
            Modules::Dynamic,
            Modules::List(vec!["M".to_owned()]),
        ];
        let mut kinds = 0;
        for restart in restarts {
            for child_type in [ChildType::Worker, ChildType::Supervisor] {
                for shutdown in shutdowns {
                    for modules in modules.clone() {
                        let spec = ChildSpec::new("f".to_owned(), vec![5u64])
                            .restart(restart)
                            .child_type(child_type)
                            .shutdown(shutdown)
                            .modules(modules)
                            .validate();
                        let Ok(spec) = spec else {
                            panic!("a valid spec: {spec:?}");
                        };
                        let mut bytes = Vec::new();
                        spec.pack(&mut bytes);
                        let mut input = bytes.as_slice();
                        let copy = crate::ValidChildSpec::<String, u64>::unpack(&mut input);
                        assert_eq!(copy, Ok(spec));
                        assert!(input.is_empty());
                        kinds += 1;
                    }
                }
            }
        }
        assert_eq!(kinds, 54);
        // Restart 3, shutdown 3, modules 3, the top bit: each is no spec.
        for header in [0b0000_0011, 0b0001_1000, 0b0110_0000, 0b1000_0000] {
            let bytes = [header, 1, b'f', 0];
            let spec = crate::ValidChildSpec::<String, u64>::unpack(&mut bytes.as_slice());
            assert!(spec.is_err(), "header {header:#010b}: {spec:?}");
        }
    }

    #[test]
    fn numbers_pack_in_few_bytes_and_read_back_exactly() {
        for value in [
            0,
            1,
            127,
            128,
            300,
            16_383,
            16_384,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let mut bytes = Vec::new();
            value.pack(&mut bytes);
            let expected_len = (64 - value.leading_zeros()).max(1).div_ceil(7) as usize;
            assert_eq!(bytes.len(), expected_len, "{value}");
            let mut input = bytes.as_slice();
            assert_eq!(u64::unpack(&mut input), Ok(value));
            assert!(input.is_empty());
        }
        let too_long = [0xff; 10];
        assert_eq!(
            u64::unpack(&mut too_long.as_slice()),
            Err(UnpackError::Overflow)
        );
        let eleven = [
            0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01,
        ];
        assert_eq!(
            u64::unpack(&mut eleven.as_slice()),
            Err(UnpackError::Overflow)
        );
        assert_eq!(
            u64::unpack(&mut [0x80].as_slice()),
            Err(UnpackError::Truncated)
        );
    }

    #[test]
    fn bad_bytes_are_refused_with_what_was_wrong() {
        let bad_tag = [9];
        assert_eq!(
            Restart::unpack(&mut bad_tag.as_slice()),
            Err(UnpackError::BadTag {
                what: "Restart",
                tag: 9
            })
        );
        assert!(ExitReason::unpack(&mut [6].as_slice()).is_err());
        assert_eq!(
            String::unpack(&mut [2, 0xff, 0xfe].as_slice()),
            Err(UnpackError::NotUtf8)
        );
        assert_eq!(
            String::unpack(&mut [5, b'a'].as_slice()),
            Err(UnpackError::Truncated)
        );
        assert_eq!(
            bool::unpack(&mut [2].as_slice()).map_err(|e| e.to_string()),
            Err("tag 2 is no bool".to_owned())
        );
        // A huge length over a short input asks for no huge allocation: it runs out of bytes.
        let huge = [0xff, 0xff, 0xff, 0xff, 0x0f, 1];
        assert_eq!(
            Vec::<u8>::unpack(&mut huge.as_slice()),
            Err(UnpackError::Truncated)
        );
        // Nor a long loop: even a unit takes a byte, so a list is never longer than its bytes.
        assert_eq!(
            Vec::<()>::unpack(&mut huge.as_slice()),
            Err(UnpackError::Truncated)
        );
        let mut units = Vec::new();
        vec![(), (), ()].pack(&mut units);
        assert_eq!(units, [3, 0, 0, 0]);
        assert_eq!(
            Vec::<()>::unpack(&mut units.as_slice()),
            Ok(vec![(), (), ()])
        );
    }

    #[test]
    fn every_variant_of_the_small_types_reads_back() {
        for restart in [Restart::Permanent, Restart::Transient, Restart::Temporary] {
            let mut bytes = Vec::new();
            restart.pack(&mut bytes);
            assert_eq!(Restart::unpack(&mut bytes.as_slice()), Ok(restart));
        }
        for child_type in [ChildType::Worker, ChildType::Supervisor] {
            let mut bytes = Vec::new();
            child_type.pack(&mut bytes);
            assert_eq!(ChildType::unpack(&mut bytes.as_slice()), Ok(child_type));
        }
        for state in [crate::EntryState::Running, crate::EntryState::Restarting] {
            let mut bytes = Vec::new();
            state.pack(&mut bytes);
            assert_eq!(crate::EntryState::unpack(&mut bytes.as_slice()), Ok(state));
        }
        #[cfg(feature = "planted-defects")]
        for defect in crate::CoreDefect::ALL {
            let mut bytes = Vec::new();
            defect.pack(&mut bytes);
            assert_eq!(crate::CoreDefect::unpack(&mut bytes.as_slice()), Ok(defect));
        }
        let reasons = [
            ExitReason::Normal,
            ExitReason::Shutdown,
            ExitReason::ShutdownWith("x".to_owned()),
            ExitReason::Killed,
            ExitReason::NoProc,
            ExitReason::Other("y".to_owned()),
        ];
        for reason in reasons {
            let mut bytes = Vec::new();
            reason.pack(&mut bytes);
            assert_eq!(ExitReason::unpack(&mut bytes.as_slice()), Ok(reason));
        }
        for shutdown in [
            Shutdown::BrutalKill,
            Shutdown::millis(5000),
            Shutdown::Infinity,
        ] {
            let mut bytes = Vec::new();
            shutdown.pack(&mut bytes);
            assert_eq!(Shutdown::unpack(&mut bytes.as_slice()), Ok(shutdown));
        }
    }
}
