-- Reserved for the branch 'plan' (issue 9); replaced by its schema.
SELECT 1;
