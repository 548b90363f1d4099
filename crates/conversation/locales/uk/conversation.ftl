# What the conversation core says itself, whatever the channel (crates/conversation).

# The greeting when no flow runs, and the line when a flow expires.
chat-greeting = Вітаємо. Це служба допомоги. Напишіть, що сталося, — оператор відповість. Ми не питаємо ім'я та номер телефону.
chat-flow-expired = Розмову призупинено. Напишіть будь-коли — оператор відповість.

# Місцезнаходження, яке надіслав заявник, як його показує листування.

chat-location-in-transcript = [Місцезнаходження надіслано]
