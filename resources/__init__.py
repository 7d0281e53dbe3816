"""klasse.resources"""
