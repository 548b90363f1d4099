/* Safe Passage: chat.js */
