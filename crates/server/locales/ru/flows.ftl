# Russian console texts: filled by the branch 'ru' (issue 9).
