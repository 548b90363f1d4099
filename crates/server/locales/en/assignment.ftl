# Who holds a case: the coordinators' unassigned list and the assignment form.
cases-unassigned-title = Unassigned
cases-unassigned-intro = Open cases no specialist holds yet: those the bot registered and those operators opened. Open one to give it to a specialist.
cases-unassigned-empty = Every open case has a specialist.
assign-legend = Specialist responsible for the case
assign-to = Give the case to
assign-submit = Assign
assign-no-specialists = There is no active specialist account to give the case to.
notice-assigned = The case is assigned. It is now in the specialist's list.
notice-assign-not-specialist = A case can only be given to an active specialist account.
notice-assign-already = The case is already with that specialist.
timeline-case-assigned = { $who } gave the case to { $to }.
