# Operator console, English. Every id here exists in uk/console.ftl too (a test checks).
console-title = Console
skip-to-content = Skip to content
nav-label = Console sections
nav-home = Start
nav-queue = Queue
nav-my-cases = My cases
nav-open-cases = Open cases
nav-handoffs = Hand-offs
nav-users = Users
logout = Log out
language-switch = Language

## Errors
error-request-id = Request id
error-back = Back to the console
error-not-found-title = Not found
error-not-found-detail = There is nothing here, or it is not yours to see.
error-forbidden-title = Not allowed
error-forbidden-detail = Your role does not give access to this part of the console.
error-csrf-title = Form expired
error-csrf-detail = This form is no longer valid. Go back, reload the page and try again.
error-bad-request-title = Bad request
error-bad-request-detail = The form was incomplete or malformed.
error-move-refused-title = Move not allowed
error-move-refused-detail = The case cannot make this move, or your role may not make it. Reload the case to see the moves open to you.
error-conflict-title = Changed meanwhile
error-conflict-detail = Someone else changed this at the same moment. Reload and check.
error-unavailable-title = Temporarily unavailable
error-unavailable-detail = Something went wrong on our side. Try again in a moment; if it persists, give the request id to an administrator.
error-internal-title = Internal error

## Notices
notice-taken = Someone else has already taken that conversation.
notice-expired = Your session ended after a period of inactivity. Please log in again.
notice-login-failed = Login failed. Check your name, password and code. After several failures the account is locked for a while.
notice-logged-out = You have logged out.
notice-closed = The conversation is closed.
notice-already-closed = The conversation was already closed.
notice-reply-empty = The reply was empty and was not sent.
notice-reply-too-long = The reply is too long (at most 4,096 characters) and was not sent.
notice-case-exists = This conversation already belongs to a case.
notice-moved = The case has been moved.
notice-moved-meanwhile = Someone else changed the case at the same moment. Check its state and try again.
notice-composition-invalid = A group has 2 to 1,000 people, and no more officers than people.
notice-composition-saved = The group's size and composition are saved.
notice-user-name-invalid = A login name has 2 to 64 characters: letters, digits, ".", "_" or "-".
notice-user-exists = A user with this name already exists.

## Words
duration-under-a-minute = under a minute
duration-minutes = { $minutes } min
duration-hours = { $hours } h { $minutes } min
who-unknown = unknown
who-bot = the bot
yes = yes
no = no
role-operator = operator
role-specialist = specialist
role-coordinator = coordinator
role-operations = operations
role-analyst = analyst
role-admin = administrator
language-ru = Russian
language-uk = Ukrainian
language-en = English
channel-web = web chat
channel-telegram = Telegram
channel-voice = phone
channel-whatsapp = WhatsApp
status-bot = with the bot
status-queued = waiting
status-assigned = with an operator
status-closed = closed
sender-applicant = Applicant
sender-bot = Bot
sender-staff = Staff
message-undelivered = Not delivered.
message-undelivered-refused = Not delivered: the messenger refused it (the person may have blocked the bot or deleted the chat).
message-undelivered-gave-up = Not delivered: the messenger could not be reached for hours.
message-shredded = [destroyed]
kind-individual = individual
kind-group = group
state-inquiry = inquiry
state-registered = registered
state-deployed = deployed
state-located = located
state-plan-approved = plan approved
state-handed-off = handed off
state-exited = exited
state-closed = closed
move-to-registered = Register
move-to-deployed = Mark deployed
move-to-located = Mark located
move-to-plan-approved = Approve plan
move-to-handed-off = Hand off to operations
move-to-exited = Mark exited
reason-withdrew = withdrew
reason-lost-contact = lost contact
reason-duplicate = duplicate
reason-unsafe = unsafe
reason-suspected-provocation = suspected provocation
note-note = note
note-location = location

## Start page
home-title = Start
home-intro-operator = Answer waiting conversations in the queue and open cases for people who want to take part.
home-intro-specialist = Your cases, and the queue for conversations you take on.
home-intro-coordinator = All open cases: approve plans and hand cases off to operations.
home-intro-operations = The cases handed off to your unit.
home-intro-analyst = The programme's figures: counts only, never a single case.
home-intro-admin = Users and roles. Case content is never shown to administrators.

## Login
login-title = Log in
login-username = Name
login-password = Password
login-totp = Code from your authenticator app
login-totp-help = Six digits; a new code every 30 seconds. At the first login with a one-time password, leave it empty.
login-submit = Log in

## Queue
queue-title = Queue
queue-waiting = Waiting
queue-col-waiting = Waiting for
queue-col-language = Language
queue-col-channel = Channel
queue-col-conversation = Conversation
queue-col-action = Action
queue-col-last-message = Last message
queue-priority = priority
queue-take = Take
queue-empty = Nobody is waiting.
queue-mine = My conversations
queue-mine-empty = You have no open conversations.

## Conversation
conversation-title = Conversation
conversation-id = Conversation
conversation-channel = Channel
conversation-language = Language
conversation-status = Status
conversation-case = Case
conversation-bot-results = Bot results
conversation-bot-topic = Ticket topic
conversation-transcript = Transcript
conversation-reply = Reply
conversation-send = Send
conversation-open-case = Open a case
conversation-open-case-submit = Open case
conversation-close = Close conversation

## Case
case-title = Case
case-id = Case
case-state = State
case-kind = Kind
case-composition = People / officers
case-owner = Owner
case-under-duress = The applicant wrote the agreed duress phrase: they may be under coercion. Keep every answer harmless and say nothing of this flag.
case-codename = Codename issued
case-shredded = This case's data has been destroyed; only its history of events remains.
case-moves = Moves
case-close-with-reason = Close the case, with the reason
case-composition-form = Group size and composition
case-size = People in the group
case-officers = Of them officers
case-composition-save = Save
case-conversations = Conversations
case-no-conversations = No conversations.
case-notes = Notes
case-timeline = Timeline
case-views = Views
timeline-case-opened = { $who } opened the case ({ $kind }).
timeline-case-advanced = { $who } moved the case from “{ $from }” to “{ $to }”.
timeline-case-closed = { $who } closed the case: { $reason }.
timeline-group-composition-set = { $who } recorded the group: { $size } people, of them officers: { $officers }.
timeline-codename-issued = A codename was issued.
timeline-conversation-joined-case = A conversation was joined to the case.
timeline-case-note-added = { $who } added a note.
timeline-location-recorded = { $who } recorded a location.
timeline-case-viewed = { $who } viewed the case.
timeline-duress-phrase-agreed = The applicant agreed a duress phrase.
timeline-case-flagged-under-duress = The applicant wrote the duress phrase.
timeline-case-shredded = The case's data was destroyed.
timeline-other = { $kind }

## Case lists
cases-mine-title = My cases
cases-mine-intro = Cases you own.
cases-open-title = Open cases
cases-open-intro = Every case that is still open, most recently changed first.
handoffs-title = Hand-offs
handoffs-intro = Cases handed off to operations: state and group only.
cases-col-updated = Changed
cases-empty = No cases.

## Users
users-title = Users
users-col-name = Name
users-col-role = Role
users-col-status = Status
users-active = active
users-locked-until = locked until
users-add = Add a user
users-name-help = 2 to 64 characters: letters, digits, ".", "_" or "-".
users-add-submit = Add user
users-created = User created:
users-shown-once = The one-time password below is shown only this once. Hand it to the person in a safe way; it is not stored in readable form.
users-one-time-password = One-time password
users-totp-scan = Scan this code with the authenticator app:
users-totp-qr = QR code for the authenticator app
users-totp-secret = Or enter this key by hand
users-totp-uri = Enrolment address

## Need to know in the queue (issue 8)
queue-returning-assigned = Returning applicant, case assigned to { $owner }
queue-returning-unassigned = Returning applicant, case not yet assigned: a coordinator will pass it on
queue-returning-mine = returning, your case
case-confirm-title = Confirm the move
case-confirm-heading = There is no way back from this move
case-confirm-close = Case { $case } will be closed as “{ $reason }”. It cannot be reopened.
case-confirm-advance = Case { $case } will be moved to “{ $state }”. It cannot be moved back.
case-confirm-submit = Yes, do it
case-confirm-cancel = No, back to the case
# Crypto-shredding a case (coordinators).
shred-title = Destroy this case's data
shred-link = Destroy this case's data…
shred-conversations = Conversations joined to the case
shred-what-happens = What happens
shred-consequence-keys = The keys of the case and of its conversations are destroyed: messages, notes and locations can never be read again, in this database or in any backup.
shred-consequence-codename = The codename stops working: whoever uses it is answered as for a wrong codename.
shred-consequence-chat = The applicant's open chats of this case end, and their phone number or messenger id is forgotten.
shred-consequence-history = Only the history of events remains (who did what, when), with this destruction recorded in it. This cannot be undone.
shred-reason = Reason
shred-reason-applicant-request = the applicant asked for it
shred-reason-safety-risk = a risk to the applicant's safety (e.g. a seized device or a compromise)
shred-reason-retention-ended = the retention period ended
shred-reason-entered-in-error = the case was entered in error
shred-confirm = I understand that this cannot be undone.
shred-submit = Destroy the data now
notice-shredded = The case's data has been destroyed.
notice-shredded-already = The case's data had already been destroyed.
notice-shred-unconfirmed = Nothing was destroyed: choose a reason and tick the confirmation.
timeline-case-shredded-by = { $who } destroyed the case's data: { $reason }.

## The voice channel in the queue.
queue-call = call
queue-call-case = case { $case }
queue-call-with-bot = with the bot (the caller is choosing in the menu)
