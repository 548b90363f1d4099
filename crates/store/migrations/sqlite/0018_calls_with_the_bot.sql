-- Calls still with the bot (the voice intake), for the console's queue: a small partial index,
-- so the queue page never scans the web chat's conversations to find them.
CREATE INDEX conversations_calls_with_the_bot ON conversations (created_ms) WHERE channel = 'voice' AND status = 'bot';
