//! The tokio runtime's `PartitionSupervisor`: deterministic routing by key, keys spread over
//! the partitions, exact aggregates, stop stopping every partition, and 0 partitions refused.
#![cfg(not(loom))]

use std::time::Duration;

use dynsup::tokio_runtime::{
    PartitionPid, PartitionStartError, PartitionStarted, PartitionSupervisor, StopError,
};
use dynsup::{
    Answer, BoxedWorker, ChildCounts, ChildSpec, ConfigError, Context, DynWorker, ExitReason, Init,
    Options, Pid,
};

/// A session that answers calls with its partition and id.
struct Session {
    partition: usize,
    id: u64,
}

impl dynsup::Worker for Session {
    type Message = ();
    type Call = ();
    type Reply = (usize, u64);

    fn init(&mut self, _ctx: &mut Context<()>) -> Init {
        Init::Ok
    }

    fn handle_call(&mut self, (): (), _ctx: &mut Context<()>) -> Answer<(usize, u64)> {
        Answer::Reply((self.partition, self.id))
    }
}

type Sessions = PartitionSupervisor<&'static str, u64, DynWorker<(), (), (usize, u64)>>;

fn paused() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap()
}

async fn sessions(partitions: usize) -> Sessions {
    PartitionSupervisor::start_link(partitions, Options::default(), |partition| {
        move |_: &&str, args: &[u64]| -> BoxedWorker<(), (), (usize, u64)> {
            Box::new(Session {
                partition,
                id: args.first().copied().unwrap_or(0),
            })
        }
    })
    .await
    .unwrap()
}

fn spec(id: u64) -> ChildSpec<&'static str, u64> {
    ChildSpec::new("session", vec![id])
}

async fn start(sup: &Sessions, key: &str, id: u64) -> PartitionPid {
    match sup.start_child(key, spec(id)).await {
        Ok(PartitionStarted::Running { pid, .. }) => pid,
        other => panic!("start_child {key}: {other:?}"),
    }
}

#[test]
fn the_same_key_lands_in_the_same_partition_across_partition_supervisors() {
    paused().block_on(async {
        let one = sessions(4).await;
        let two = sessions(4).await;
        for user in 0..200u64 {
            let key = format!("user-{user}");
            let first = one.partition_for(key.as_str());
            assert_eq!(first, one.partition_for(key.as_str()));
            assert_eq!(first, two.partition_for(key.as_str()));
            let a = start(&one, &key, user).await;
            let b = start(&two, &key, user).await;
            assert_eq!(a.partition, first);
            assert_eq!(b.partition, first);
            // The worker really runs in that partition's supervisor.
            assert_eq!(one.call(a, (), None).await, Ok((first, user)));
            assert_eq!(two.call(b, (), None).await, Ok((first, user)));
        }
        // Fixed-width integer keys too, and a fixed value run after run.
        assert_eq!(
            (0u64..16)
                .map(|k| one.partition_for(&k))
                .collect::<Vec<_>>(),
            (0u64..16)
                .map(|k| two.partition_for(&k))
                .collect::<Vec<_>>()
        );
    });
}

#[test]
fn a_thousand_keys_spread_over_four_partitions() {
    paused().block_on(async {
        let sup = sessions(4).await;
        let mut per_partition = [0u64; 4];
        for user in 0..1_000u64 {
            let pid = start(&sup, &format!("user-{user}"), user).await;
            per_partition[pid.partition] += 1;
        }
        assert!(
            per_partition.iter().all(|&n| n > 0),
            "some partition got no key: {per_partition:?}"
        );
        // Not lopsided either: each gets at least a tenth.
        assert!(per_partition.iter().all(|&n| n >= 100), "{per_partition:?}");
        for (partition, &expected) in per_partition.iter().enumerate() {
            let counts = sup
                .partition(partition)
                .unwrap()
                .count_children()
                .await
                .unwrap();
            assert_eq!(counts.active, expected);
        }
    });
}

#[test]
fn counts_and_which_children_aggregate_exactly() {
    paused().block_on(async {
        let sup = sessions(3).await;
        assert_eq!(sup.partitions(), 3);
        assert!(sup.partition(3).is_none());
        let mut pids = Vec::new();
        for user in 0..30u64 {
            pids.push(start(&sup, &format!("k{user}"), user).await);
        }
        let counts = sup.count_children().await.unwrap();
        assert_eq!(
            counts,
            ChildCounts {
                specs: 30,
                active: 30,
                supervisors: 0,
                workers: 30
            }
        );
        let mut expected = Vec::new();
        for partition in 0..3 {
            let rows = sup
                .partition(partition)
                .unwrap()
                .which_children()
                .await
                .unwrap();
            expected.extend(rows.into_iter().map(|row| (partition, row)));
        }
        let rows = sup.which_children().await.unwrap();
        assert_eq!(rows, expected);
        assert_eq!(rows.len(), 30);
        // Partition order, and every started child appears once.
        assert!(rows.windows(2).all(|w| w[0].0 <= w[1].0));
        let mut seen: Vec<PartitionPid> = rows
            .iter()
            .map(|(partition, row)| PartitionPid {
                partition: *partition,
                pid: row.pid.unwrap(),
            })
            .collect();
        seen.sort();
        let mut started = pids.clone();
        started.sort();
        assert_eq!(seen, started);

        // Terminating goes to the right partition, and the aggregates follow.
        sup.terminate_child(pids[0]).await.unwrap();
        assert_eq!(sup.count_children().await.unwrap().active, 29);
        assert_eq!(sup.which_children().await.unwrap().len(), 29);
        assert!(sup.terminate_child(pids[0]).await.is_err());
        let beyond = PartitionPid {
            partition: 7,
            pid: Pid(1),
        };
        assert!(sup.terminate_child(beyond).await.is_err());
        assert!(!sup.send(beyond, ()).await);
        assert!(sup.send(pids[1], ()).await);
    });
}

#[test]
fn stop_stops_every_partition() {
    paused().block_on(async {
        let sup = sessions(4).await;
        for user in 0..40u64 {
            start(&sup, &format!("user-{user}"), user).await;
        }
        assert!(sup.is_alive());
        sup.stop(ExitReason::Shutdown, Some(Duration::from_secs(5)))
            .await
            .unwrap();
        for partition in 0..4 {
            let part = sup.partition(partition).unwrap();
            assert!(!part.is_alive());
            assert_eq!(part.exit_reason(), Some(ExitReason::Shutdown));
        }
        assert!(!sup.is_alive());
        assert!(sup.count_children().await.is_err());
        assert!(sup.which_children().await.is_err());
        assert_eq!(
            sup.stop(ExitReason::Shutdown, None).await,
            Err(StopError::NoProc)
        );
    });
}

#[test]
fn zero_partitions_or_invalid_options_start_nothing() {
    paused().block_on(async {
        let spawner = |_: usize| {
            |_: &&str, _: &[u64]| -> BoxedWorker<(), (), (usize, u64)> {
                Box::new(Session {
                    partition: 0,
                    id: 0,
                })
            }
        };
        let zero = PartitionSupervisor::start_link(0, Options::default(), spawner).await;
        assert_eq!(zero.unwrap_err(), PartitionStartError::NoPartitions);
        let invalid =
            PartitionSupervisor::start_link(2, Options::default().max_seconds(0), spawner).await;
        assert_eq!(
            invalid.unwrap_err(),
            PartitionStartError::Config(ConfigError::InvalidPeriod(0))
        );
    });
}
