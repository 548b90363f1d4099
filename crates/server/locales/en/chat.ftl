# Applicant web chat, English.
chat-site-name = Help line
chat-page-title = Help line: conversation
chat-language-label = Language
chat-quick-exit = Leave quickly
chat-heading = Write to us
chat-intro = Anonymous and free. An operator reads every message and answers here.
chat-conversation-label = Conversation
chat-no-messages = No messages yet. Write the first one below.
chat-from-applicant = You
chat-from-bot = Assistant
chat-from-staff = Operator
chat-message-label = Your message
chat-send = Send
chat-refresh = Check for replies
chat-codename-heading = I have a codename
chat-codename-label = Codename (16 digits)
chat-codename-hint = Spaces and dashes between the digits are fine.
chat-codename-submit = Continue
chat-notice-codename-joined = Thank you. We will continue where we left off.
chat-notice-codename-refused = This codename was not accepted. Check it, or try again later.
chat-notice-empty = Write a message before sending.
chat-notice-too-long = The message is too long: at most 4,096 characters.
chat-notice-failed = The message was not sent. Please try again.
chat-notice-unavailable = The service is busy. Please wait a moment and try again.
chat-notice-busy = The line is busy right now: many people are writing. Please wait a minute and try again — your text is still in the box.
chat-notice-too-fast = Messages are coming too quickly. Please wait a minute and send again — your text is still in the box.
chat-safety = Nothing from this conversation is kept in your browser's storage. When you are done, close the tab, or press "Leave quickly" at any time.
chat-end-conversation = End this conversation on this device
chat-end-hint = The conversation closes in this browser and cannot be opened here again. If you have a codename, you can come back with it.
chat-notice-ended = The conversation has ended on this device. If you have a codename, enter it below to continue.

## The voice channel: what a caller hears besides the flow's own lines.
voice-stay-on-line = Please stay on the line: a person will answer.
voice-waiting = You are number { $position } in line. Please stay on the line: a person will answer as soon as possible.
voice-waiting-no-position = Please stay on the line: a person will answer as soon as possible.
voice-goodbye = Thank you for calling. Goodbye.
