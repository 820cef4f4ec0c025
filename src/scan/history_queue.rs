//! The history scan's queue of blobs: the walk fills it, the scanning threads empty it in
//! batches. Either as the walk finds blobs (a range: the first blobs are scanned while the walk
//! goes on), or, for a whole history, all at once after the walk, in the object store's order
//! ([`StoreOrder`]), so that each `git cat-file` unpacks every delta chain once.

use std::sync::{Arc, Condvar, Mutex};

use crate::source::history::order::StoreOrder;

/// Blobs a scanning thread takes off the queue at a time.
const BATCH: usize = 256;

/// One blob in this many is looked at to judge how the store lays out their deltas.
const SAMPLE_EVERY: usize = 8;

/// A blob to scan, where it was first seen. One is kept per distinct blob until the end (for
/// attribution), so it is kept small: boxed strings, and the parents' blobs only in a range.
pub(super) struct Job {
    pub id: Box<str>,
    /// Its place in the walk's list of distinct blobs (what `others` counts by).
    pub slot: usize,
    /// Index into the walked commits; `None` for a blob no commit reaches.
    pub commit: Option<u32>,
    pub path: Box<str>,
    /// The blobs at this path in the introducing commit's parents (for ranges; empty
    /// otherwise).
    pub before: Box<[Box<str>]>,
}

/// A batch: each job with its index among all jobs (what findings name their blob by).
pub(super) type Batch = Vec<(usize, Arc<Job>)>;

#[derive(Default)]
pub(super) struct Queue {
    state: Mutex<QueueState>,
    ready: Condvar,
    /// Nothing is handed out before the walk is over (then in `order`).
    hold: bool,
}

#[derive(Default)]
struct QueueState {
    jobs: Vec<Arc<Job>>,
    /// Jobs handed out so far (positions in `order` when there is one).
    taken: usize,
    finished: bool,
    /// The order to hand jobs out in, set when the walk is over (held queues given the
    /// store's order only; otherwise the walk's).
    order: Option<Vec<u32>>,
    /// See [`Queue::bases_near`].
    bases_near: bool,
}

impl Queue {
    /// A queue that hands blobs out as the walk finds them (`hold` false) or only once the walk
    /// is over, in the store's order.
    pub fn new(hold: bool) -> Queue {
        Queue {
            hold,
            ..Queue::default()
        }
    }

    pub fn push(&self, job: Job) {
        if let Ok(mut s) = self.state.lock() {
            s.jobs.push(Arc::new(job));
            if !self.hold && s.jobs.len() - s.taken >= BATCH {
                self.ready.notify_one();
            }
        }
    }

    /// No more blobs will come. A held queue hands them out sorted by their rank in `order`
    /// (the walk's order among equals, and without one), and judges whether, in that order,
    /// their deltas lie near their bases ([`Queue::bases_near`]).
    pub fn finish(&self, order: Option<&StoreOrder>) {
        if let Ok(mut s) = self.state.lock() {
            if let (true, Some(o)) = (self.hold, order) {
                s.bases_near = o.bases_near(s.jobs.iter().step_by(SAMPLE_EVERY).map(|j| &*j.id));
                let ranks: Vec<u32> = s.jobs.iter().map(|j| o.rank(&j.id)).collect();
                let mut by_rank: Vec<u32> = (0..s.jobs.len() as u32).collect();
                by_rank.sort_by_key(|&i| (ranks[i as usize], i));
                s.order = Some(by_rank);
            }
            s.finished = true;
        }
        self.ready.notify_all();
    }

    /// Whether the blobs are handed out in the store's order and their deltas lie near their
    /// bases there (see [`StoreOrder::bases_near`]; judged on one blob in [`SAMPLE_EVERY`]):
    /// then git reads them with little memory. Known once the first batch is handed out.
    pub fn bases_near(&self) -> bool {
        self.state.lock().is_ok_and(|s| s.bases_near)
    }

    /// The next batch; `None` when all are taken and the walk is over.
    pub fn take(&self) -> Option<Batch> {
        let mut s = self.state.lock().ok()?;
        loop {
            let waiting = s.jobs.len() - s.taken;
            let open = s.finished || !self.hold;
            if open && (waiting >= BATCH || (s.finished && waiting > 0)) {
                let start = s.taken;
                let end = (start + BATCH).min(s.jobs.len());
                s.taken = end;
                let batch = match &s.order {
                    Some(order) => (order[start..end].iter())
                        .map(|&i| (i as usize, Arc::clone(&s.jobs[i as usize])))
                        .collect(),
                    None => (start..end).map(|i| (i, Arc::clone(&s.jobs[i]))).collect(),
                };
                return Some(batch);
            }
            if s.finished {
                return None;
            }
            s = self.ready.wait(s).ok()?;
        }
    }

    pub fn into_jobs(self) -> Vec<Arc<Job>> {
        self.state.into_inner().map(|s| s.jobs).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 40-digit id whose first 10 digits (what the store's order is looked up by) are `k`.
    fn id(k: usize) -> String {
        format!("{k:010x}{:030}", 0)
    }

    fn job(id: &str, slot: usize) -> Job {
        Job {
            id: id.into(),
            slot,
            commit: None,
            path: Box::default(),
            before: Box::default(),
        }
    }

    #[test]
    fn a_held_queue_hands_every_job_out_once_in_rank_order_with_its_index() {
        let queue = Queue::new(true);
        let n = BATCH + 10;
        for i in 0..n {
            queue.push(job(&id(n - i), i));
        }
        // Nothing before the walk is over.
        assert_eq!(
            queue.state.lock().map(|s| s.order.is_none()).ok(),
            Some(true)
        );
        // The store lists the blobs in reverse, and one not at all (it comes last).
        let ids: Vec<String> = (1..n).map(id).collect();
        let order = StoreOrder::from_listing(ids.iter().map(|s| s.as_str()));
        queue.finish(Some(&order));
        let mut seen = Vec::new();
        while let Some(batch) = queue.take() {
            for (i, j) in batch {
                assert_eq!(j.slot, i);
                seen.push(i);
            }
        }
        let mut expected: Vec<usize> = (1..n).rev().collect();
        expected.push(0);
        assert_eq!(seen, expected);
    }

    #[test]
    fn a_held_queue_without_the_stores_order_keeps_the_walks() {
        let queue = Queue::new(true);
        for i in 0..BATCH + 3 {
            queue.push(job(&id(BATCH + 3 - i), i));
        }
        queue.finish(None);
        let seen: Vec<usize> = std::iter::from_fn(|| queue.take())
            .flatten()
            .map(|(i, _)| i)
            .collect();
        assert_eq!(seen, (0..BATCH + 3).collect::<Vec<_>>());
        assert!(!queue.bases_near());
    }

    #[test]
    fn an_open_queue_hands_out_full_batches_before_the_walk_ends() {
        let queue = Queue::new(false);
        for i in 0..BATCH {
            queue.push(job(&id(i), i));
        }
        let batch = queue.take().unwrap_or_default();
        assert_eq!(batch.len(), BATCH);
        assert_eq!(batch.first().map(|(i, _)| *i), Some(0));
        queue.finish(None);
        assert!(queue.take().is_none());
    }
}
