# Applicant web chat, English.
chat-greeting = Hello. This is a help service. Write what happened and an operator will answer. We do not ask for your name or phone number.
