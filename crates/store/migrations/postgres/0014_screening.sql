-- Reserved for the branch 'screen' (issue 9); replaced by its schema.
SELECT 1;
