# A location the applicant sent, as the transcript shows it (issue 9: flows wait for a location).
# The place itself is never in the transcript: it is a location report, sealed, read on the case.

chat-location-in-transcript = [Location sent]
