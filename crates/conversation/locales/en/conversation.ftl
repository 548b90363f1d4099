# What the conversation core says itself, whatever the channel (crates/conversation).

# The greeting when no flow runs, and the line when a flow expires.
chat-greeting = Hello. This is a help service. Write what happened and an operator will answer. We do not ask for your name or phone number.
chat-flow-expired = The conversation is paused. Write any time and an operator will answer.

# A location the applicant sent, as the transcript shows it (issue 9: flows wait for a location).
# The place itself is never in the transcript: it is a location report, sealed, read on the case.

chat-location-in-transcript = [Location sent]
