-- Reserved for the branch 'loc' (issue 9); replaced by its schema.
SELECT 1;
