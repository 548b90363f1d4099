//! Disclosure control for published tables: small counts are suppressed, and enough other
//! figures with them that nobody can get a suppressed count back from the ones still shown.
//!
//! The public figures page must not let a reader learn that, say, two people from one district
//! contacted the hotline in March. [`protect`] hides every small count (primary suppression),
//! then hides further counts (complementary suppression) until no hidden count can be worked out
//! from the shown cells and totals.
//!
//! What a reader is assumed to know: every shown figure, that each row and column adds up to its
//! total and the totals to the grand total, and that counts are whole numbers. Zeros are always
//! shown (see [`protect`]), so a reader also knows that every hidden figure is at least 1; the
//! protection takes that into account. A hidden figure may still be narrowed to a range; what is
//! guaranteed is that it is never pinned to one value. Not modelled: a reader who knows this
//! method can tell that a complement was the smallest non-zero figure of its line, which bounds
//! it from above; that inference is not checked.

use serde::{Deserialize, Serialize};

/// A table of counts to publish: `cells[row][column]`, with row and column labels. Totals are
/// not part of it: [`protect`] computes them. The labels give the shape; a missing cell (a
/// short or absent row of `cells`) counts as 0 and cells beyond the labels are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// Row labels.
    pub rows: Vec<String>,
    /// Column labels.
    pub columns: Vec<String>,
    /// The counts, row by row.
    pub cells: Vec<Vec<u64>>,
}

impl Table {
    /// The count at `row`, `column`, or 0 when `cells` has none there.
    pub fn cell(&self, row: usize, column: usize) -> u64 {
        self.cells.get(row).and_then(|r| r.get(column)).copied().unwrap_or(0)
    }
}

/// A published figure: the count, or suppressed. In JSON a shown figure is a plain number and a
/// suppressed one is `null`, so a chart draws a gap and a reader of the JSON sees "no figure".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Cell {
    /// The true count.
    Shown(u64),
    /// Hidden by disclosure control.
    Suppressed,
}

impl Cell {
    /// The count when shown.
    pub fn value(self) -> Option<u64> {
        match self {
            Cell::Shown(n) => Some(n),
            Cell::Suppressed => None,
        }
    }

    /// Whether the figure is hidden.
    pub fn is_suppressed(self) -> bool {
        self == Cell::Suppressed
    }
}

/// A table after disclosure control, with its totals, ready to publish. `cells` has exactly one
/// entry per row label and column label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Protected {
    /// Row labels, as in the table.
    pub rows: Vec<String>,
    /// Column labels, as in the table.
    pub columns: Vec<String>,
    /// The figures, row by row.
    pub cells: Vec<Vec<Cell>>,
    /// Each row's total.
    pub row_totals: Vec<Cell>,
    /// Each column's total.
    pub column_totals: Vec<Cell>,
    /// The grand total.
    pub total: Cell,
}

/// Protects `table` for publication: hides every figure from 1 to `threshold - 1`, then as few
/// others as this simple method manages so that none of the hidden ones can be recovered.
///
/// 1. Primary suppression: every cell, row total, column total and the grand total with
///    `0 < n < threshold` is hidden. Zeros are shown: a zero is usually structural (no voice
///    calls before the voice line opened) and points at nobody, and hiding zeros would blank most
///    of a sparse table. The price is that readers know hidden figures are at least 1, which step
///    3 accounts for.
/// 2. Complementary suppression by subtraction: while some line (a row with its total, a column
///    with its total, the row totals with the grand total, the column totals with the grand
///    total) has a shown total and exactly one hidden member, the smallest other non-zero shown
///    member of that line is hidden too (the first on ties), or, when there is none, the line's
///    total.
/// 3. An exact check: the table with its totals is a flow circulation (row totals flow into
///    rows, cells from rows to columns, column totals out to the grand total, which closes the
///    loop), so a hidden figure can take another value exactly when it lies on a cycle of hidden
///    figures along which it can be moved up or down by one while every figure lowered stays at
///    least 1. When some hidden figure is pinned, one more figure is hidden, preferring the
///    smallest shown figure beside it (same row or column) that frees it, then its totals, then
///    anything else; and step 2 runs again.
///
/// Every round hides one more figure, so this ends; once every non-zero figure is hidden nothing
/// is pinned, so it always ends safe. Ragged `cells` never panic: see [`Table`].
pub fn protect(table: &Table, threshold: u64) -> Protected {
    let mut state = State::new(table, threshold);
    while let Some(item) = state.rule_step().or_else(|| state.audit_step()) {
        state.hide(item);
    }
    state.into_protected(table)
}

/// Item numbering: cells row by row, then row totals, then column totals, then the grand total.
#[derive(Debug, Clone, Copy)]
struct Shape {
    rows: usize,
    cols: usize,
}

impl Shape {
    fn cells(self) -> usize {
        self.rows.saturating_mul(self.cols)
    }
    fn cell(self, r: usize, c: usize) -> usize {
        r * self.cols + c
    }
    fn row(self, r: usize) -> usize {
        self.cells() + r
    }
    fn col(self, c: usize) -> usize {
        self.cells() + self.rows + c
    }
    fn grand(self) -> usize {
        self.cells() + self.rows + self.cols
    }
    fn items(self) -> usize {
        self.grand() + 1
    }
    /// Graph nodes: 0 feeds the row totals, 1 collects the column totals, then one node per row,
    /// then one per column.
    fn nodes(self) -> usize {
        2 + self.rows + self.cols
    }
    /// The edge (from, to) an item is in the circulation.
    fn ends(self, item: usize) -> (usize, usize) {
        let cells = self.cells();
        if item < cells {
            (2 + item / self.cols, 2 + self.rows + item % self.cols)
        } else if item < cells + self.rows {
            (0, 2 + item - cells)
        } else if item < cells + self.rows + self.cols {
            (2 + self.rows + (item - cells - self.rows), 1)
        } else {
            (1, 0)
        }
    }
}

/// Figures that add up to a total.
#[derive(Debug)]
struct Line {
    members: Vec<usize>,
    total: usize,
}

struct State {
    shape: Shape,
    values: Vec<u64>,
    hidden: Vec<bool>,
    lines: Vec<Line>,
}

impl State {
    fn new(table: &Table, threshold: u64) -> State {
        let shape = Shape { rows: table.rows.len(), cols: table.columns.len() };
        let mut values = vec![0u64; shape.items()];
        let mut lines = Vec::with_capacity(shape.rows + shape.cols + 2);
        for r in 0..shape.rows {
            let members: Vec<usize> = (0..shape.cols).map(|c| shape.cell(r, c)).collect();
            lines.push(Line { members, total: shape.row(r) });
        }
        for c in 0..shape.cols {
            let members: Vec<usize> = (0..shape.rows).map(|r| shape.cell(r, c)).collect();
            lines.push(Line { members, total: shape.col(c) });
        }
        lines.push(Line { members: (0..shape.rows).map(|r| shape.row(r)).collect(), total: shape.grand() });
        lines.push(Line { members: (0..shape.cols).map(|c| shape.col(c)).collect(), total: shape.grand() });

        let mut add = |item: usize, n: u64| {
            if let Some(v) = values.get_mut(item) {
                *v = v.saturating_add(n);
            }
        };
        for r in 0..shape.rows {
            for c in 0..shape.cols {
                let n = table.cell(r, c);
                add(shape.cell(r, c), n);
                add(shape.row(r), n);
                add(shape.col(c), n);
                add(shape.grand(), n);
            }
        }
        let hidden = values.iter().map(|&n| n > 0 && n < threshold).collect();
        State { shape, values, hidden, lines }
    }

    fn value(&self, item: usize) -> u64 {
        self.values.get(item).copied().unwrap_or(0)
    }

    fn is_hidden(&self, item: usize) -> bool {
        self.hidden.get(item).copied().unwrap_or(false)
    }

    /// Shown and non-zero: may still be hidden as a complement.
    fn hideable(&self, item: usize) -> bool {
        !self.is_hidden(item) && self.value(item) > 0
    }

    fn hide(&mut self, item: usize) {
        if let Some(h) = self.hidden.get_mut(item) {
            *h = true;
        }
    }

    /// Step 2: the next figure to hide because a line would give a hidden member away by
    /// subtraction.
    fn rule_step(&self) -> Option<usize> {
        self.lines.iter().find_map(|line| {
            let hidden_members = line.members.iter().filter(|&&m| self.is_hidden(m)).count();
            if self.is_hidden(line.total) || hidden_members != 1 {
                return None;
            }
            let complement = line.members.iter().copied().filter(|&m| self.hideable(m)).min_by_key(|&m| self.value(m));
            Some(complement.unwrap_or(line.total))
        })
    }

    /// Step 3: the next figure to hide because some hidden figure is still pinned.
    fn audit_step(&self) -> Option<usize> {
        let pinned = (0..self.shape.items()).find(|&i| self.is_hidden(i) && self.pinned(i, &self.hidden))?;
        let candidates = self.candidates(pinned);
        let frees = |&c: &usize| {
            let mut hidden = self.hidden.clone();
            if let Some(h) = hidden.get_mut(c) {
                *h = true;
            }
            !self.pinned(pinned, &hidden)
        };
        candidates.iter().copied().find(frees).or_else(|| candidates.first().copied())
    }

    /// Shown non-zero figures to hide for a pinned `item`, most preferred first: the smallest of
    /// those sharing a line with it, then the totals of its lines, then the smallest of the rest.
    fn candidates(&self, item: usize) -> Vec<usize> {
        let mut near = Vec::new();
        let mut totals = Vec::new();
        for line in &self.lines {
            if line.members.contains(&item) {
                near.extend(line.members.iter().copied().filter(|&m| m != item));
                totals.push(line.total);
            } else if line.total == item {
                near.extend(line.members.iter().copied());
            }
        }
        let mut rest: Vec<usize> = (0..self.shape.items()).collect();
        let by_value = |a: &usize, b: &usize| self.value(*a).cmp(&self.value(*b)).then(a.cmp(b));
        near.sort_by(by_value);
        rest.sort_by(by_value);
        let mut taken = vec![false; self.shape.items()];
        let mut out = Vec::new();
        for c in near.into_iter().chain(totals).chain(rest) {
            if self.hideable(c) {
                if let Some(t) = taken.get_mut(c) {
                    if !*t {
                        *t = true;
                        out.push(c);
                    }
                }
            }
        }
        out
    }

    /// Whether hidden `item` has only one possible value when the figures marked in `hidden` are
    /// hidden: no cycle of hidden figures through it can move it by one, up or down, keeping
    /// every lowered figure at least 1 (the conformal-decomposition argument for circulations:
    /// any other solution differs from the truth by such cycles).
    fn pinned(&self, item: usize, hidden: &[bool]) -> bool {
        let (from, to) = self.shape.ends(item);
        let up = self.reachable(item, hidden, to, from);
        let down = self.value(item) >= 2 && self.reachable(item, hidden, from, to);
        !up && !down
    }

    /// Whether `goal` can be reached from `start` in the residual graph of the hidden figures
    /// other than `skip`: any hidden figure may be raised (its edge forward), one of at least 2
    /// may be lowered (its edge backward).
    fn reachable(&self, skip: usize, hidden: &[bool], start: usize, goal: usize) -> bool {
        let nodes = self.shape.nodes();
        let mut next: Vec<Vec<usize>> = vec![Vec::new(); nodes];
        for (item, _) in hidden.iter().enumerate().filter(|&(i, &h)| h && i != skip) {
            let (a, b) = self.shape.ends(item);
            if let Some(out) = next.get_mut(a) {
                out.push(b);
            }
            if self.value(item) >= 2 {
                if let Some(out) = next.get_mut(b) {
                    out.push(a);
                }
            }
        }
        let mut seen = vec![false; nodes];
        let mut queue = vec![start];
        if let Some(s) = seen.get_mut(start) {
            *s = true;
        }
        while let Some(node) = queue.pop() {
            if node == goal {
                return true;
            }
            for &n in next.get(node).map(Vec::as_slice).unwrap_or(&[]) {
                if let Some(s) = seen.get_mut(n) {
                    if !*s {
                        *s = true;
                        queue.push(n);
                    }
                }
            }
        }
        false
    }

    fn figure(&self, item: usize) -> Cell {
        if self.is_hidden(item) {
            Cell::Suppressed
        } else {
            Cell::Shown(self.value(item))
        }
    }

    fn into_protected(self, table: &Table) -> Protected {
        let s = self.shape;
        Protected {
            rows: table.rows.clone(),
            columns: table.columns.clone(),
            cells: (0..s.rows).map(|r| (0..s.cols).map(|c| self.figure(s.cell(r, c))).collect()).collect(),
            row_totals: (0..s.rows).map(|r| self.figure(s.row(r))).collect(),
            column_totals: (0..s.cols).map(|c| self.figure(s.col(c))).collect(),
            total: self.figure(s.grand()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Cell::{Shown, Suppressed};

    fn table(cells: &[&[u64]]) -> Table {
        let cols = cells.iter().map(|r| r.len()).max().unwrap_or(0);
        Table {
            rows: (0..cells.len()).map(|r| format!("r{r}")).collect(),
            columns: (0..cols).map(|c| format!("c{c}")).collect(),
            cells: cells.iter().map(|r| r.to_vec()).collect(),
        }
    }

    /// Which figure an attacker targets.
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Target {
        Cell(usize, usize),
        Row(usize),
        Col(usize),
        Grand,
    }

    /// The true totals of a table: rows, columns, grand.
    fn totals(t: &Table) -> (Vec<u64>, Vec<u64>, u64) {
        let rows: Vec<u64> = (0..t.rows.len()).map(|r| (0..t.columns.len()).map(|c| t.cell(r, c)).sum()).collect();
        let cols: Vec<u64> = (0..t.columns.len()).map(|c| (0..t.rows.len()).map(|r| t.cell(r, c)).sum()).collect();
        let grand = rows.iter().sum();
        (rows, cols, grand)
    }

    /// The attacker: a brute-force search, independent of `protect`'s own check, over whole
    /// numbers for the hidden cells (each at least 1, since zeros are shown) that agree with
    /// every shown figure. Returns the hidden figures that have no other possible value.
    fn recoverable(p: &Protected, truth: &Table) -> Vec<Target> {
        let mut targets = Vec::new();
        for (r, row) in p.cells.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if cell.is_suppressed() {
                    targets.push(Target::Cell(r, c));
                }
            }
        }
        targets.extend(p.row_totals.iter().enumerate().filter(|(_, c)| c.is_suppressed()).map(|(r, _)| Target::Row(r)));
        targets
            .extend(p.column_totals.iter().enumerate().filter(|(_, c)| c.is_suppressed()).map(|(c, _)| Target::Col(c)));
        if p.total.is_suppressed() {
            targets.push(Target::Grand);
        }
        targets.into_iter().filter(|&t| !Search::new(p, truth, t).run()).collect()
    }

    struct Search<'a> {
        p: &'a Protected,
        truth: &'a Table,
        target: Target,
        order: Vec<(usize, usize)>,
        caps: Vec<u64>,
        grid: Vec<Vec<u64>>,
    }

    impl<'a> Search<'a> {
        fn new(p: &'a Protected, truth: &'a Table, target: Target) -> Self {
            let mut order = Vec::new();
            let mut caps = Vec::new();
            let mut grid = Vec::new();
            for (r, row) in p.cells.iter().enumerate() {
                grid.push(row.iter().map(|c| c.value().unwrap_or(0)).collect());
                for (c, cell) in row.iter().enumerate() {
                    if cell.is_suppressed() {
                        order.push((r, c));
                        // A cell bounded by no shown total can always grow with its totals;
                        // two above the truth is room enough to see that.
                        let bound = [p.row_totals[r].value(), p.column_totals[c].value(), p.total.value()]
                            .into_iter()
                            .flatten()
                            .min();
                        caps.push(bound.unwrap_or(truth.cell(r, c) + 2));
                    }
                }
            }
            Search { p, truth, target, order, caps, grid }
        }

        fn run(&mut self) -> bool {
            self.dfs(0)
        }

        fn dfs(&mut self, k: usize) -> bool {
            let Some(&(r, c)) = self.order.get(k) else {
                return self.complete();
            };
            let rest = &self.order[k + 1..];
            let row_sum: u64 = self.grid[r].iter().sum();
            let col_sum: u64 = self.grid.iter().map(|row| row[c]).sum();
            let all_sum: u64 = self.grid.iter().flatten().sum();
            let limits = [
                (rest.iter().all(|&(r2, _)| r2 != r), self.p.row_totals[r].value(), row_sum),
                (rest.iter().all(|&(_, c2)| c2 != c), self.p.column_totals[c].value(), col_sum),
                (rest.is_empty(), self.p.total.value(), all_sum),
            ];
            let mut forced: Option<i128> = None;
            for (last, shown, sum) in limits {
                if let (true, Some(t)) = (last, shown) {
                    let f = i128::from(t) - i128::from(sum);
                    if forced.is_some_and(|g| g != f) {
                        return false;
                    }
                    forced = Some(f);
                }
            }
            let values: Vec<u64> = match forced {
                Some(f) if f >= 1 => vec![f as u64],
                Some(_) => vec![],
                None => (1..=self.caps[k]).collect(),
            };
            for v in values {
                if self.target == Target::Cell(r, c) && v == self.truth.cell(r, c) {
                    continue;
                }
                let over = limits.iter().any(|&(_, shown, sum)| shown.is_some_and(|t| sum + v > t));
                if over {
                    continue;
                }
                self.grid[r][c] = v;
                if self.dfs(k + 1) {
                    self.grid[r][c] = 0;
                    return true;
                }
            }
            self.grid[r][c] = 0;
            false
        }

        /// Every hidden cell has a value: do the totals agree with what is shown, and does the
        /// target differ from the truth?
        fn complete(&self) -> bool {
            let guess = Table { rows: self.p.rows.clone(), columns: self.p.columns.clone(), cells: self.grid.clone() };
            let (rows, cols, grand) = totals(&guess);
            let (true_rows, true_cols, true_grand) = totals(self.truth);
            let agrees = |shown: Cell, value: u64| match shown {
                Shown(n) => n == value,
                Suppressed => value >= 1,
            };
            let consistent = self.p.row_totals.iter().zip(&rows).all(|(s, &v)| agrees(*s, v))
                && self.p.column_totals.iter().zip(&cols).all(|(s, &v)| agrees(*s, v))
                && agrees(self.p.total, grand);
            consistent
                && match self.target {
                    Target::Cell(..) => true,
                    Target::Row(r) => rows[r] != true_rows[r],
                    Target::Col(c) => cols[c] != true_cols[c],
                    Target::Grand => grand != true_grand,
                }
        }
    }

    /// The properties every protected table must have.
    fn check(t: &Table, threshold: u64) -> Protected {
        let p = protect(t, threshold);
        let (rows, cols, grand) = totals(t);
        let ok = |cell: Cell, truth: u64, what: &str| match cell {
            Shown(n) => {
                assert_eq!(n, truth, "{what} shown wrong in {t:?}");
                assert!(n == 0 || n >= threshold, "{what} = {n} shown in {t:?} at {threshold}");
            }
            Suppressed => assert!(truth > 0, "{what} zero suppressed in {t:?}"),
        };
        assert_eq!(p.cells.len(), t.rows.len());
        for (r, row) in p.cells.iter().enumerate() {
            assert_eq!(row.len(), t.columns.len());
            for (c, &cell) in row.iter().enumerate() {
                ok(cell, t.cell(r, c), "cell");
            }
        }
        for (cell, &truth) in p.row_totals.iter().zip(&rows) {
            ok(*cell, truth, "row total");
        }
        for (cell, &truth) in p.column_totals.iter().zip(&cols) {
            ok(*cell, truth, "column total");
        }
        ok(p.total, grand, "total");
        let pinned = recoverable(&p, t);
        assert!(pinned.is_empty(), "{pinned:?} recoverable from {p:?} of {t:?}");
        p
    }

    fn hidden_cells(p: &Protected) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (r, row) in p.cells.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if cell.is_suppressed() {
                    out.push((r, c));
                }
            }
        }
        out
    }

    #[test]
    fn one_by_one() {
        let p = check(&table(&[&[3]]), 5);
        assert_eq!(
            (p.cells[0][0], p.row_totals[0], p.column_totals[0], p.total),
            (Suppressed, Suppressed, Suppressed, Suppressed)
        );
        let p = check(&table(&[&[7]]), 5);
        assert_eq!((p.cells[0][0], p.total), (Shown(7), Shown(7)));
        let p = check(&table(&[&[0]]), 5);
        assert_eq!((p.cells[0][0], p.total), (Shown(0), Shown(0)));
    }

    #[test]
    fn one_row_hides_the_smallest_other_cell() {
        let p = check(&table(&[&[12, 2, 9, 30]]), 5);
        assert_eq!(hidden_cells(&p), vec![(0, 1), (0, 2)]);
        assert_eq!(p.row_totals[0], Shown(53));
        assert_eq!(p.column_totals, vec![Shown(12), Suppressed, Suppressed, Shown(30)]);
    }

    #[test]
    fn one_column_hides_the_smallest_other_cell() {
        let p = check(&table(&[&[12], &[2], &[9], &[9]]), 5);
        // Ties go to the first.
        assert_eq!(hidden_cells(&p), vec![(1, 0), (2, 0)]);
        assert_eq!(p.total, Shown(32));
    }

    #[test]
    fn one_small_cell_in_three_by_three() {
        let p = check(&table(&[&[20, 3, 25], &[30, 40, 50], &[15, 22, 60]]), 5);
        assert_eq!(hidden_cells(&p), vec![(0, 0), (0, 1), (2, 0), (2, 1)]);
        assert!(p.row_totals.iter().chain(&p.column_totals).all(|c| !c.is_suppressed()));
        assert_eq!(p.total, Shown(265));
    }

    #[test]
    fn a_small_cell_whose_only_complement_is_in_a_small_row() {
        // Row 0 is small altogether, so its total goes too, and the complements come from row 1.
        let p = check(&table(&[&[3, 1], &[20, 30]]), 5);
        assert_eq!(hidden_cells(&p).len(), 4);
        assert_eq!(p.row_totals, vec![Suppressed, Suppressed]);
        assert_eq!(p.column_totals, vec![Shown(23), Shown(31)]);
        assert_eq!(p.total, Shown(54));
    }

    #[test]
    fn all_small() {
        let p = check(&table(&[&[1, 2], &[2, 1]]), 5);
        assert_eq!(hidden_cells(&p).len(), 4);
        assert_eq!(p.total, Shown(6));
        let p = check(&table(&[&[1, 1], &[1, 1]]), 5);
        assert_eq!(p.total, Suppressed);
    }

    #[test]
    fn zeros_are_shown_and_never_complements() {
        let p = check(&table(&[&[0, 12], &[0, 8]]), 5);
        assert!(hidden_cells(&p).is_empty());
        let p = check(&table(&[&[0, 3], &[0, 9]]), 5);
        assert_eq!(p.cells, vec![vec![Shown(0), Suppressed], vec![Shown(0), Suppressed]]);
        // Row 1 has no other non-zero cell, so its total is hidden instead.
        assert_eq!(p.row_totals, vec![Suppressed, Suppressed]);
        assert_eq!(p.column_totals, vec![Shown(0), Shown(12)]);
    }

    #[test]
    fn two_ones_that_add_up_to_two_are_not_left_alone() {
        // Row total 10 minus 8 leaves 2 for two hidden cells; as hidden figures are at least 1,
        // both would be 1. The check hides the 8 too.
        let p = check(&table(&[&[1, 1, 8]]), 3);
        assert_eq!(hidden_cells(&p), vec![(0, 0), (0, 1), (0, 2)]);
        assert_eq!(p.total, Shown(10));
    }

    #[test]
    fn a_hidden_total_is_not_left_to_addition() {
        // Column 1's total of 4 is small; its cells 2 and 2 are small too, and shown cells
        // elsewhere must not let anyone add them back.
        check(&table(&[&[10, 2, 10], &[10, 2, 10]]), 5);
        check(&table(&[&[10, 0, 10], &[10, 4, 10]]), 5);
    }

    #[test]
    fn nothing_is_hidden_below_threshold_one() {
        let t = table(&[&[1, 2], &[0, 3]]);
        for threshold in [0, 1] {
            let p = check(&t, threshold);
            assert!(hidden_cells(&p).is_empty());
            assert_eq!(p.total, Shown(6));
        }
    }

    #[test]
    fn ragged_and_empty_tables_do_not_panic() {
        let t = Table {
            rows: vec!["a".into(), "b".into(), "c".into()],
            columns: vec!["x".into(), "y".into()],
            cells: vec![vec![7], vec![1, 9, 99, 99]],
        };
        let p = check(&t, 5);
        assert_eq!(p.cells.len(), 3);
        assert_eq!(p.cells[2], vec![Shown(0), Shown(0)]);
        assert_eq!(p.cells[0][1], Shown(0));
        assert_eq!(p.cells[1][0], Suppressed);
        let empty = protect(&Table::default(), 5);
        assert_eq!(empty.total, Shown(0));
        assert!(empty.cells.is_empty());
        let no_columns = protect(&Table { rows: vec!["a".into()], columns: vec![], cells: vec![vec![3]] }, 5);
        assert_eq!(no_columns.row_totals, vec![Shown(0)]);
    }

    #[test]
    fn json_shows_suppressed_as_null() {
        let p = protect(&table(&[&[12, 2, 9, 30]]), 5);
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["cells"], serde_json::json!([[12, null, null, 30]]));
        assert_eq!(json["total"], serde_json::json!(53));
        assert_eq!(serde_json::from_str::<Cell>("null").unwrap(), Suppressed);
        assert_eq!(serde_json::from_str::<Cell>("4").unwrap(), Shown(4));
    }

    #[test]
    fn the_attacker_finds_what_the_shown_figures_give_away() {
        // Only the small cell hidden: subtraction from the row total gives it back.
        let t = table(&[&[12, 2, 9]]);
        let naive = Protected {
            rows: t.rows.clone(),
            columns: t.columns.clone(),
            cells: vec![vec![Shown(12), Suppressed, Shown(9)]],
            row_totals: vec![Shown(23)],
            column_totals: vec![Shown(12), Suppressed, Shown(9)],
            total: Shown(23),
        };
        assert_eq!(recoverable(&naive, &t), vec![Target::Cell(0, 1), Target::Col(1)]);
        // Two hidden ones that must add up to 2: both are 1, as hidden figures are at least 1.
        let t = table(&[&[1, 1, 8]]);
        let naive = Protected {
            rows: t.rows.clone(),
            columns: t.columns.clone(),
            cells: vec![vec![Suppressed, Suppressed, Shown(8)]],
            row_totals: vec![Shown(10)],
            column_totals: vec![Suppressed, Suppressed, Shown(8)],
            total: Shown(10),
        };
        assert_eq!(recoverable(&naive, &t).len(), 4);
        // A hidden total whose members are all shown is a sum away.
        let t = table(&[&[3, 9]]);
        let naive = Protected {
            rows: t.rows.clone(),
            columns: t.columns.clone(),
            cells: vec![vec![Suppressed, Suppressed]],
            row_totals: vec![Shown(12)],
            column_totals: vec![Shown(3), Suppressed],
            total: Shown(12),
        };
        assert_eq!(recoverable(&naive, &t), vec![Target::Cell(0, 0), Target::Cell(0, 1), Target::Col(1)]);
        // And protect's own output for these is safe.
        for t in [table(&[&[12, 2, 9]]), table(&[&[1, 1, 8]]), table(&[&[3, 9]])] {
            check(&t, 5);
        }
    }

    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n.max(1)
        }
    }

    #[test]
    fn a_dashboard_sized_table_is_protected_quickly() {
        // Twelve months by twenty districts, many of them small: the exact check is per hidden
        // figure, so this stays fast; every hidden figure passes protect's own check.
        let mut rng = Lcg(7);
        let cells: Vec<Vec<u64>> = (0..12)
            .map(|_| (0..20).map(|_| if rng.below(4) == 0 { rng.below(10) } else { rng.below(200) }).collect())
            .collect();
        let refs: Vec<&[u64]> = cells.iter().map(Vec::as_slice).collect();
        let t = table(&refs);
        let p = protect(&t, 10);
        for (r, row) in p.cells.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let truth = t.cell(r, c);
                match cell {
                    Shown(n) => assert_eq!(*n, truth),
                    Suppressed => assert!(truth > 0),
                }
                if truth > 0 && truth < 10 {
                    assert!(cell.is_suppressed());
                }
            }
        }
        let state = {
            let mut s = State::new(&t, 10);
            s.hidden = p
                .cells
                .iter()
                .flatten()
                .chain(&p.row_totals)
                .chain(&p.column_totals)
                .chain([&p.total])
                .map(|c| c.is_suppressed())
                .collect();
            s
        };
        assert!((0..state.shape.items()).all(|i| !state.is_hidden(i) || !state.pinned(i, &state.hidden)));
        assert!(state.rule_step().is_none());
    }

    #[test]
    fn random_small_tables_keep_every_small_count_hidden() {
        let mut rng = Lcg(2026);
        for _ in 0..1500 {
            let threshold = [2, 3, 5][rng.below(3) as usize];
            let rows = 1 + rng.below(4) as usize;
            let cols = 1 + rng.below(4) as usize;
            let cells: Vec<Vec<u64>> = (0..rows)
                .map(|_| {
                    (0..cols)
                        .map(|_| match rng.below(3) {
                            0 => 0,
                            1 => 1 + rng.below(threshold - 1),
                            _ => threshold + rng.below(8),
                        })
                        .collect()
                })
                .collect();
            let refs: Vec<&[u64]> = cells.iter().map(Vec::as_slice).collect();
            check(&table(&refs), threshold);
        }
    }
}
