//! Geometry in pixel space: cutting rings and lines to a rectangle a little larger than the
//! picture, and dropping points closer than a pixel, so a map carries only what can be seen.

pub(crate) type Px = (f64, f64);

/// Points closer than this to the last kept one add nothing visible.
const MIN_STEP_PX: f64 = 0.75;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Rect {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl Rect {
    fn contains(&self, (x, y): Px) -> bool {
        x >= self.left && x <= self.right && y >= self.top && y <= self.bottom
    }
}

/// Sutherland-Hodgman against each side of the rectangle. The result may run along the
/// rectangle's edges, which lie outside the picture.
pub(crate) fn clip_ring(ring: &[Px], rect: &Rect) -> Vec<Px> {
    type Inside = fn(Px, &Rect) -> bool;
    type Cross = fn(Px, Px, &Rect) -> Px;
    let sides: [(Inside, Cross); 4] = [
        (|p, r| p.0 >= r.left, |a, b, r| at_x(a, b, r.left)),
        (|p, r| p.0 <= r.right, |a, b, r| at_x(a, b, r.right)),
        (|p, r| p.1 >= r.top, |a, b, r| at_y(a, b, r.top)),
        (|p, r| p.1 <= r.bottom, |a, b, r| at_y(a, b, r.bottom)),
    ];
    let mut current: Vec<Px> = ring.to_vec();
    for (inside, cross) in sides {
        let Some(&last) = current.last() else { return current };
        let mut next = Vec::with_capacity(current.len());
        let mut previous = last;
        for &point in &current {
            match (inside(previous, rect), inside(point, rect)) {
                (true, true) => next.push(point),
                (true, false) => next.push(cross(previous, point, rect)),
                (false, true) => {
                    next.push(cross(previous, point, rect));
                    next.push(point);
                }
                (false, false) => {}
            }
            previous = point;
        }
        current = next;
    }
    current
}

fn at_x(a: Px, b: Px, x: f64) -> Px {
    let t = (x - a.0) / (b.0 - a.0);
    (x, a.1 + t * (b.1 - a.1))
}

fn at_y(a: Px, b: Px, y: f64) -> Px {
    let t = (y - a.1) / (b.1 - a.1);
    (a.0 + t * (b.0 - a.0), y)
}

/// Splits a line into the runs whose segments touch the rectangle (checked by their bounding
/// boxes: a segment near a corner may be kept; it is drawn outside the picture, harmlessly).
pub(crate) fn clip_line(line: &[Px], rect: &Rect) -> Vec<Vec<Px>> {
    let mut runs = Vec::new();
    let mut run: Vec<Px> = Vec::new();
    for pair in line.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let touches = rect.contains(a)
            || rect.contains(b)
            || (a.0.min(b.0) <= rect.right
                && a.0.max(b.0) >= rect.left
                && a.1.min(b.1) <= rect.bottom
                && a.1.max(b.1) >= rect.top);
        if touches {
            if run.is_empty() {
                run.push(a);
            }
            run.push(b);
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    if run.len() >= 2 {
        runs.push(run);
    }
    runs
}

/// Drops points closer than a pixel to the last kept one; the last point is always kept.
pub(crate) fn thin(points: &[Px]) -> Vec<Px> {
    let mut kept: Vec<Px> = Vec::with_capacity(points.len());
    for (i, &p) in points.iter().enumerate() {
        let is_last = i + 1 == points.len();
        match kept.last() {
            Some(&q) if !is_last && (p.0 - q.0).hypot(p.1 - q.1) < MIN_STEP_PX => {}
            _ => kept.push(p),
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_is_cut_to_the_rectangle() {
        let rect = Rect { left: 0.0, top: 0.0, right: 10.0, bottom: 10.0 };
        let square = [(-5.0, -5.0), (5.0, -5.0), (5.0, 5.0), (-5.0, 5.0), (-5.0, -5.0)];
        let cut = clip_ring(&square, &rect);
        assert!(cut.iter().all(|&(x, y)| (0.0..=10.0).contains(&x) && (0.0..=10.0).contains(&y)), "{cut:?}");
        assert!(cut.contains(&(5.0, 5.0)));
        let outside = [(20.0, 20.0), (30.0, 20.0), (30.0, 30.0), (20.0, 20.0)];
        assert!(clip_ring(&outside, &rect).is_empty());
    }

    #[test]
    fn lines_keep_only_runs_near_the_rectangle() {
        let rect = Rect { left: 0.0, top: 0.0, right: 10.0, bottom: 10.0 };
        let line = [(-20.0, 5.0), (-15.0, 5.0), (5.0, 5.0), (15.0, 5.0), (40.0, 5.0), (50.0, 5.0)];
        assert_eq!(clip_line(&line, &rect), vec![vec![(-15.0, 5.0), (5.0, 5.0), (15.0, 5.0)]]);
    }

    #[test]
    fn points_closer_than_a_pixel_are_dropped() {
        let line = [(0.0, 0.0), (0.2, 0.0), (0.4, 0.0), (2.0, 0.0), (2.1, 0.0)];
        assert_eq!(thin(&line), vec![(0.0, 0.0), (2.0, 0.0), (2.1, 0.0)]);
    }
}
