# What the conversation core says itself, whatever the channel (crates/conversation).

# The greeting when no flow runs, and the line when a flow expires.
chat-greeting = Здравствуйте. Это служба помощи. Напишите, что случилось, — оператор ответит. Мы не спрашиваем имя и номер телефона.
chat-flow-expired = Разговор приостановлен. Напишите в любое время — оператор ответит.

# Местоположение, которое прислал заявитель, как его показывает переписка.

chat-location-in-transcript = [Местоположение отправлено]
