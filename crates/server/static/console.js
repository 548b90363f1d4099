/* Safe Passage: console.js */
