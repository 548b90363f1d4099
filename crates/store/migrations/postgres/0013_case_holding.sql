-- Reserved for the branch 'hold' (issue 9); replaced by its schema.
SELECT 1;
