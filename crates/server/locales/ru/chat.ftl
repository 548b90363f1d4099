# Applicant web chat, Russian (default language).
chat-greeting = Здравствуйте. Это служба помощи. Напишите, что случилось, — оператор ответит. Мы не спрашиваем имя и номер телефона.
