# What the conversation core says itself, whatever the channel (crates/conversation).

# The greeting when no flow runs, and the line when a flow expires.
chat-greeting = Hello. This is a help service. Write what happened and an operator will answer. We do not ask for your name or phone number.
chat-flow-expired = The conversation is paused. Write any time and an operator will answer.

# A location the applicant sent, as the transcript shows it (issue 9: flows wait for a location).
# The place itself is never in the transcript: it is a location report, sealed, read on the case.

chat-location-in-transcript = [Location sent]

# A messenger: what the person sent is not taken (a photo, a voice note, a contact card), or a
# codename typed in the chat was not accepted (never saying whether it exists).
channel-refused-kind = We only take written messages and locations here, and we did not keep what you sent. Please write in words. For your safety, delete it from this chat.
channel-codename-refused = That codename did not work. Check the digits and try again, or write what you need and an operator will answer.
